//! HTML rendered once for every viewer of a live page, cut where each viewer's own token goes:
//! a viewer's copy is written in one pass, without searching the page for the token's place.

/// Rendered HTML with gaps for the viewer's token.
#[derive(Debug)]
pub struct SharedHtml {
    pieces: Vec<String>,
}

impl SharedHtml {
    /// `html` cut at every `gap` (a placeholder the template wrote where the token goes).
    pub fn cut(html: &str, gap: &str) -> SharedHtml {
        SharedHtml {
            pieces: html.split(gap).map(str::to_owned).collect(),
        }
    }

    /// How long the copy with `token` in every gap is.
    pub fn len_with(&self, token: &str) -> usize {
        let gaps = self.pieces.len().saturating_sub(1);
        self.pieces.iter().map(String::len).sum::<usize>() + gaps * token.len()
    }

    /// Appends the copy with `token` in every gap.
    pub fn write_with(&self, token: &str, out: &mut String) {
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.push_str(token);
            }
            out.push_str(piece);
        }
    }

    /// The copy with `token` in every gap.
    pub fn with(&self, token: &str) -> String {
        let mut out = String::with_capacity(self.len_with(token));
        self.write_with(token, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::SharedHtml;

    #[test]
    fn every_gap_gets_the_token_and_nothing_else_changes() {
        let html = "<form>__T__</form><p>x</p><form>__T__</form>";
        let shared = SharedHtml::cut(html, "__T__");
        let copy = shared.with("abc");
        assert_eq!(copy, html.replace("__T__", "abc"));
        assert_eq!(shared.len_with("abc"), copy.len());
    }

    #[test]
    fn html_without_a_gap_or_with_gaps_at_its_ends_is_kept_whole() {
        assert_eq!(SharedHtml::cut("<p>x</p>", "__T__").with("abc"), "<p>x</p>");
        assert_eq!(SharedHtml::cut("__T__x__T__", "__T__").with("a"), "axa");
        assert_eq!(SharedHtml::cut("", "__T__").with("a"), "");
    }
}
