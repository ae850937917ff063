//! Account mails: welcome, activation, password reset.

use deskbell_contract::{UserActivation, UserPasswordReset, UserWelcome};

use super::{Action, Message, Site};
use crate::lang::Lang;

/// `user.welcome`: the account is ready.
pub(super) fn welcome(lang: Lang, p: &UserWelcome, site: &Site) -> Message {
    let (name, product) = (&p.user.name, &site.product);
    Message {
        lang,
        subject: tr!(lang, "Welcome to {product}, {name}", "Bienvenue sur {product}, {name}"),
        heading: tr!(lang, "Welcome, {name}!", "Bienvenue, {name} !"),
        summary: tr!(lang, "Your account is ready.", "Votre compte est prêt."),
        paragraphs: vec![tr!(
            lang,
            "Your account is ready. You can follow your requests and reply to them from {product}.",
            "Votre compte est prêt. Vous pouvez suivre vos demandes et y répondre depuis {product}."
        )],
        quote: None,
        facts: vec![],
        action: Some(Action { label: tr!(lang, "Open {product}", "Ouvrir {product}"), url: site.app_url.clone() }),
        in_app_link: None,
        footer: account_footer(lang, site),
    }
}

/// `user.activation`: confirm the address, before the link expires.
pub(super) fn activation(lang: Lang, p: &UserActivation, site: &Site) -> Message {
    let expires = lang.when(p.expires_at);
    Message {
        lang,
        subject: tr!(lang, "Activate your account", "Activez votre compte"),
        heading: tr!(lang, "Confirm your email address", "Confirmez votre adresse e-mail"),
        summary: tr!(lang, "Confirm your email address", "Confirmez votre adresse e-mail"),
        paragraphs: vec![
            tr!(lang, "Hello {},", "Bonjour {},", p.user.name),
            tr!(
                lang,
                "Confirm your address to activate your account. The link expires on {expires}.",
                "Confirmez votre adresse pour activer votre compte. Le lien expire le {expires}."
            ),
        ],
        quote: None,
        facts: vec![],
        action: Some(Action {
            label: tr!(lang, "Activate my account", "Activer mon compte"),
            url: p.activation_url.clone(),
        }),
        in_app_link: None,
        footer: account_footer(lang, site),
    }
}

/// `user.password_reset`: choose a new password, before the link expires.
pub(super) fn password_reset(lang: Lang, p: &UserPasswordReset, site: &Site) -> Message {
    let expires = lang.when(p.expires_at);
    Message {
        lang,
        subject: tr!(lang, "Reset your password", "Réinitialisez votre mot de passe"),
        heading: tr!(lang, "Reset your password", "Réinitialisez votre mot de passe"),
        summary: tr!(lang, "Reset your password", "Réinitialisez votre mot de passe"),
        paragraphs: vec![
            tr!(lang, "Hello {},", "Bonjour {},", p.user.name),
            tr!(
                lang,
                "Someone asked to reset the password of your account. The link expires on {expires}.",
                "Une réinitialisation du mot de passe de votre compte a été demandée. Le lien expire le {expires}."
            ),
            tr!(
                lang,
                "If it was not you, ignore this email: your password stays as it is.",
                "Si ce n'était pas vous, ignorez cet e-mail : votre mot de passe reste inchangé."
            ),
        ],
        quote: None,
        facts: vec![],
        action: Some(Action {
            label: tr!(lang, "Choose a new password", "Choisir un nouveau mot de passe"),
            url: p.reset_url.clone(),
        }),
        in_app_link: None,
        footer: account_footer(lang, site),
    }
}

fn account_footer(lang: Lang, site: &Site) -> String {
    let product = &site.product;
    tr!(
        lang,
        "You receive this email about your {product} account.",
        "Vous recevez cet e-mail au sujet de votre compte {product}."
    )
}
