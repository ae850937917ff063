//! The people and organisations a job talks about.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::limits;
use crate::validate::{Check, Field};

/// A helpdesk user as the app knew them when the job was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct User {
    /// The app's user id (opaque string).
    #[schemars(length(min = limits::ID.min, max = limits::ID.max))]
    pub id: String,
    /// Delivery address for email.
    #[schemars(email, length(min = limits::EMAIL.min, max = limits::EMAIL.max))]
    pub email: String,
    /// Display name; any text, escaped wherever it is shown.
    #[schemars(length(min = limits::NAME.min, max = limits::NAME.max))]
    pub name: String,
    /// BCP 47 language tag (`fr`, `fr-CA`, `en`); unknown languages fall back to English.
    #[serde(default = "default_locale")]
    #[schemars(length(min = limits::LOCALE.min, max = limits::LOCALE.max), regex(pattern = limits::LOCALE_PATTERN))]
    pub locale: String,
    pub role: Role,
}

fn default_locale() -> String {
    "en".to_owned()
}

/// What a user is to the helpdesk; decides who may see internal comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Agent,
    Admin,
}

impl Role {
    /// Agents and admins see internal notes; customers never do.
    pub fn is_staff(self) -> bool {
        matches!(self, Self::Agent | Self::Admin)
    }
}

/// The customer organisation a ticket belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Company {
    #[schemars(length(min = limits::ID.min, max = limits::ID.max))]
    pub id: String,
    #[schemars(length(min = limits::NAME.min, max = limits::NAME.max))]
    pub name: String,
}

impl Check for User {
    fn check(&self, at: &Field) -> Result<(), crate::DecodeError> {
        at.key("id", &self.id)?;
        at.email("email", &self.email)?;
        at.text("name", &self.name, limits::NAME)?;
        at.locale("locale", &self.locale)
    }
}

impl Check for Company {
    fn check(&self, at: &Field) -> Result<(), crate::DecodeError> {
        at.key("id", &self.id)?;
        at.text("name", &self.name, limits::NAME)
    }
}
