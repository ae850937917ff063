//! Where the encoded report goes: a buffer of bytes waiting to be cut into parts, written to directly or through
//! one gzip stream.

use std::cell::Cell;
use std::io::{self, Write};

use flate2::Compression;
use flate2::write::GzEncoder;

/// The bytes of the report file that are ready to become (part of) a part.
///
/// The encoders own their writer (the csv crate gives only `&W` back), so the bytes sit in a [`Cell`] and are
/// taken through a shared reference. That makes the writer `Send` but not `Sync`, which is all a Lambda handler
/// holding it across `.await`s needs.
pub(crate) struct PartBuffer {
    bytes: Cell<Vec<u8>>,
    /// Capacity of each fresh buffer: about one part, so filling it does not reallocate.
    capacity: usize,
}

impl PartBuffer {
    /// An empty buffer; each buffer after a cut starts with `capacity` bytes reserved.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self { bytes: Cell::new(Vec::with_capacity(capacity)), capacity }
    }

    /// Takes the buffered bytes when there are at least `threshold` (and at least one), leaving a fresh buffer.
    pub(crate) fn take_at_least(&self, threshold: usize) -> Option<Vec<u8>> {
        let bytes = self.bytes.take();
        if bytes.is_empty() || bytes.len() < threshold {
            self.bytes.set(bytes);
            return None;
        }
        self.bytes.set(Vec::with_capacity(self.capacity));
        Some(bytes)
    }

    /// The buffered bytes.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes.into_inner()
    }
}

impl Write for PartBuffer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.bytes.get_mut().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The report file being written: plain, or one gzip stream over the whole file.
pub(crate) enum Output {
    /// Bytes go straight to the buffer.
    Plain(PartBuffer),
    /// Bytes are compressed into the buffer as the compressor produces them.
    Gzip(GzEncoder<PartBuffer>),
}

impl Output {
    /// An output filling `buffer`, compressed when `gzip`.
    pub(crate) fn new(buffer: PartBuffer, gzip: bool) -> Self {
        if gzip { Self::Gzip(GzEncoder::new(buffer, Compression::default())) } else { Self::Plain(buffer) }
    }

    /// The bytes produced so far and not yet taken.
    pub(crate) fn buffer(&self) -> &PartBuffer {
        match self {
            Self::Plain(buffer) => buffer,
            Self::Gzip(encoder) => encoder.get_ref(),
        }
    }

    /// Ends the file (the gzip trailer) and gives back the buffer with the last bytes.
    pub(crate) fn finish(self) -> io::Result<PartBuffer> {
        match self {
            Self::Plain(buffer) => Ok(buffer),
            Self::Gzip(encoder) => encoder.finish(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(buffer) => buffer.write(data),
            Self::Gzip(encoder) => encoder.write(data),
        }
    }

    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            Self::Plain(buffer) => buffer.write_all(data),
            Self::Gzip(encoder) => encoder.write_all(data),
        }
    }

    /// Does nothing: flushing a gzip stream mid-file would only add sync markers. The buffer needs no flush and
    /// [`Output::finish`] ends the stream.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use flate2::read::GzDecoder;

    use super::*;

    #[test]
    fn buffer_is_taken_only_once_it_reaches_the_threshold() {
        let mut buffer = PartBuffer::with_capacity(8);
        buffer.write_all(b"abc").unwrap();
        assert_eq!(buffer.take_at_least(4), None);
        buffer.write_all(b"d").unwrap();
        assert_eq!(buffer.take_at_least(4).as_deref(), Some(&b"abcd"[..]));
        assert_eq!(buffer.take_at_least(0), None, "an empty buffer is never a part");
        assert!(buffer.into_bytes().is_empty());
    }

    #[test]
    fn gzip_output_taken_in_pieces_gunzips_to_the_input() {
        let mut output = Output::new(PartBuffer::with_capacity(0), true);
        let mut compressed = Vec::new();
        for i in 0..2000 {
            output.write_all(format!("line {i}\n").as_bytes()).unwrap();
            compressed.extend(output.buffer().take_at_least(1).unwrap_or_default());
        }
        compressed.extend(output.finish().unwrap().into_bytes());
        let mut text = String::new();
        GzDecoder::new(compressed.as_slice()).read_to_string(&mut text).unwrap();
        let expected: String = (0..2000).map(|i| format!("line {i}\n")).collect();
        assert_eq!(text, expected);
    }
}
