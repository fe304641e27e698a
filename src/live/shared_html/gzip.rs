//! The gzip copy of a shared page (RFC 1952), deflated once for every viewer: a viewer's copy
//! costs a checksum and a copy, never a compression.
//!
//! The shared pieces go through one compressor, flushed to a byte boundary at every gap, and
//! the viewer's values go between them as stored blocks (RFC 1951 §3.2.4, the bytes as they
//! are). A match may reach back across a gap of the first kind (the token: every viewer's has
//! the length it had when the page was deflated), because the compressor saw a filler of that
//! length there, whose output is dropped: the filler's byte occurs in no piece, so no match
//! of a piece ever copies from a gap, and every distance stays right. A gap of any other kind
//! (of any length) starts a new compressor: nothing reaches back across it.

use super::SharedHtml;
use flate2::{Compress, Compression, Crc, FlushCompress};

/// The gzip header: deflate, no file name, no time, unknown system.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
/// An empty last block (fixed codes, the end-of-block code alone), after the sync-flushed ones.
const LAST_BLOCK: [u8; 2] = [0x03, 0x00];
/// The most a stored block holds.
const STORED_MAX: usize = u16::MAX as usize;
/// What the compressor sees in a token's gap: a byte no HTML of ours holds.
const FILLER: u8 = 0x01;

/// The pieces of a page as deflate blocks.
#[derive(Debug)]
pub(super) struct Deflated {
    /// The length of the token (gap kind 0) the blocks were made for.
    token_len: usize,
    /// The blocks of each piece, none of them the last, each ending on a byte boundary.
    pieces: Vec<Vec<u8>>,
}

impl SharedHtml {
    /// Whether the gzip copy with `values` can be written: the pieces deflated (the first
    /// time, for a token as long as this one) and this token as long as that.
    pub fn gzips(&self, values: &[&str]) -> bool {
        let token_len = values.first().map_or(0, |t| t.len());
        self.deflated(token_len)
            .is_some_and(|d| d.token_len == token_len)
    }

    fn deflated(&self, token_len: usize) -> Option<&Deflated> {
        self.deflated
            .get_or_init(|| deflate_pieces(&self.pieces, &self.gaps, token_len))
            .as_ref()
    }

    /// Appends the gzip copy with `values` in the gaps: once decompressed, the very bytes of
    /// `write_filled`. False (and nothing written) when `gzips` is false.
    pub fn write_gzip_filled(&self, values: &[&str], out: &mut Vec<u8>) -> bool {
        if !self.gzips(values) {
            return false;
        }
        let Some(deflated) = self.deflated.get().and_then(Option::as_ref) else {
            return false;
        };
        let deflated = &deflated.pieces;
        let mut crc = Crc::new();
        out.reserve(HEADER.len() + deflated.iter().map(Vec::len).sum::<usize>() + 4096);
        out.extend_from_slice(&HEADER);
        for (i, (piece, packed)) in self.pieces.iter().zip(deflated).enumerate() {
            if i > 0 {
                let value = values.get(self.gaps[i - 1]).copied().unwrap_or_default();
                stored(value.as_bytes(), out);
                crc.update(value.as_bytes());
            }
            out.extend_from_slice(packed);
            crc.update(piece.as_bytes());
        }
        out.extend_from_slice(&LAST_BLOCK);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&crc.amount().to_le_bytes());
        true
    }
}

/// Every piece through one compressor, a new one after each gap but a token's.
fn deflate_pieces(pieces: &[String], gaps: &[usize], token_len: usize) -> Option<Deflated> {
    if pieces.iter().any(|p| p.as_bytes().contains(&FILLER)) {
        return None;
    }
    let filler = vec![FILLER; token_len];
    let mut z = Compress::new(Compression::default(), false);
    let mut out = Vec::with_capacity(pieces.len());
    for (i, piece) in pieces.iter().enumerate() {
        match i.checked_sub(1).map(|g| gaps[g]) {
            None => {}
            // The compressor counts the token's bytes; their blocks are not kept.
            Some(0) => drop(flushed(&mut z, &filler)?),
            Some(_) => z = Compress::new(Compression::default(), false),
        }
        out.push(flushed(&mut z, piece.as_bytes())?);
    }
    Some(Deflated {
        token_len,
        pieces: out,
    })
}

/// `bytes` through the compressor, flushed: deflate blocks, none of them the last, ending on a
/// byte boundary.
fn flushed(z: &mut Compress, bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
    let start = z.total_in();
    loop {
        let done = usize::try_from(z.total_in() - start).ok()?;
        z.compress_vec(&bytes[done..], &mut out, FlushCompress::Sync)
            .ok()?;
        // Flushed when all is read and the output had room to spare.
        if (z.total_in() - start) as usize == bytes.len() && out.len() < out.capacity() {
            return Some(out);
        }
        out.reserve(out.capacity().max(64));
    }
}

/// `bytes` as stored blocks, none of them the last.
fn stored(bytes: &[u8], out: &mut Vec<u8>) {
    for chunk in bytes.chunks(STORED_MAX) {
        let len = chunk.len() as u16;
        out.push(0);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::SharedHtml;
    use std::io::Read;

    fn gunzip(bytes: &[u8]) -> String {
        let mut text = String::new();
        // The decoder checks the CRC-32 and the length of the trailer.
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .expect("a valid gzip stream");
        text
    }

    fn both(shared: &SharedHtml, values: &[&str]) -> (String, Vec<u8>) {
        let mut plain = String::new();
        shared.write_filled(values, &mut plain);
        let mut packed = Vec::new();
        assert!(shared.write_gzip_filled(values, &mut packed));
        (plain, packed)
    }

    #[test]
    fn the_gzip_copy_reads_as_the_same_bytes_for_every_viewer() {
        let html = "<nav>__N__</nav>".to_string()
            + &"<form><input value=\"__T__\"><b>Margherita</b></form>".repeat(40)
            + "__C__<p>fin</p>"
            + &"<form><input value=\"__T__\"><b>Regina</b></form>".repeat(3);
        let shared = SharedHtml::cut_at(&html, &["__T__", "__N__", "__C__"]);
        for values in [
            ["tok-a", "<a>Jean</a>", "<p>Panier (2)</p>"],
            ["tok-b", "", ""],
            ["t\"<&>", "Zoé « é »", "<p>Panier</p>"],
        ] {
            let (plain, packed) = both(&shared, &values);
            assert_eq!(gunzip(&packed), plain);
            // Compressed across the gaps: each repeated form costs its token (stored) and a few
            // bytes of flush, not a compression of its own.
            assert!(
                packed.len() < plain.len() / 2,
                "{} of {}",
                packed.len(),
                plain.len()
            );
        }
    }

    #[test]
    fn a_token_of_another_length_or_a_page_holding_the_filler_gets_no_gzip() {
        let shared = SharedHtml::cut("<p>__T__</p><p>__T__</p>", "__T__");
        assert!(shared.gzips(&["abc"]));
        assert!(!shared.gzips(&["abcd"]), "the blocks were made for 3 bytes");
        assert!(!shared.write_gzip_filled(&["abcd"], &mut Vec::new()));
        let odd = SharedHtml::cut("<p>\u{1}__T__</p>", "__T__");
        assert!(!odd.gzips(&["abc"]));
    }

    #[test]
    fn a_value_longer_than_a_stored_block_and_pages_without_gaps_still_read_whole() {
        let shared = SharedHtml::cut_at("<p>__T__</p>__N__<p>__T__</p>", &["__T__", "__N__"]);
        let long = "é".repeat(40_000);
        let (plain, packed) = both(&shared, &["tok", long.as_str()]);
        assert_eq!(gunzip(&packed), plain);
        for html in ["", "<p>x</p>", "__T__", "__T____T__"] {
            let shared = SharedHtml::cut(html, "__T__");
            let (plain, packed) = both(&shared, &["abc"]);
            assert_eq!(gunzip(&packed), plain);
        }
    }
}
