//! HTML rendered once for every viewer of a page, cut where each viewer's own values go (its
//! token; on the menu also its header and cart summary): a viewer's copy is written in one
//! pass, without searching the page for the places.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

mod gzip;

/// Rendered HTML with gaps, each for one of the viewer's own values (its token, and on a page
/// shared by every visitor its header and cart summary).
#[derive(Debug)]
pub struct SharedHtml {
    pieces: Vec<String>,
    /// Which value goes after each piece but the last (an index into the values).
    gaps: Vec<usize>,
    /// The pieces deflated, the first time a gzip copy is asked for (`None`: they could not
    /// be).
    deflated: OnceLock<Option<gzip::Deflated>>,
}

impl SharedHtml {
    /// `html` cut at every `gap` (a placeholder the template wrote where the token goes).
    pub fn cut(html: &str, gap: &str) -> SharedHtml {
        SharedHtml::cut_at(html, &[gap])
    }

    /// `html` cut at every occurrence of each of `gaps`; the values given later take their
    /// places, in the same order.
    pub fn cut_at(html: &str, gaps: &[&str]) -> SharedHtml {
        let mut pieces = Vec::new();
        let mut kinds = Vec::new();
        let mut rest = html;
        loop {
            let next = gaps
                .iter()
                .enumerate()
                .filter(|(_, g)| !g.is_empty())
                .filter_map(|(i, g)| rest.find(g).map(|at| (at, i, g.len())))
                .min();
            let Some((at, kind, len)) = next else {
                pieces.push(rest.to_owned());
                break;
            };
            pieces.push(rest[..at].to_owned());
            kinds.push(kind);
            rest = &rest[at + len..];
        }
        SharedHtml {
            pieces,
            gaps: kinds,
            deflated: OnceLock::new(),
        }
    }

    /// How many times the gap `kind` (its index in the cut) occurs.
    pub fn count(&self, kind: usize) -> usize {
        self.gaps.iter().filter(|k| **k == kind).count()
    }

    /// How long the copy with `values` in the gaps is.
    pub fn len_filled(&self, values: &[&str]) -> usize {
        let pieces: usize = self.pieces.iter().map(String::len).sum();
        pieces
            + self
                .gaps
                .iter()
                .map(|k| values.get(*k).map_or(0, |v| v.len()))
                .sum::<usize>()
    }

    /// Appends the copy with `values` in the gaps (a missing value leaves its gap empty).
    pub fn write_filled(&self, values: &[&str], out: &mut String) {
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.push_str(values.get(self.gaps[i - 1]).copied().unwrap_or_default());
            }
            out.push_str(piece);
        }
    }

    /// How long the copy with `token` in every gap is.
    pub fn len_with(&self, token: &str) -> usize {
        self.len_filled(&[token])
    }

    /// Appends the copy with `token` in every gap.
    pub fn write_with(&self, token: &str, out: &mut String) {
        self.write_filled(&[token], out);
    }

    /// The copy with `token` in every gap.
    pub fn with(&self, token: &str) -> String {
        let mut out = String::with_capacity(self.len_with(token));
        self.write_with(token, &mut out);
        out
    }
}

/// The fragments of one live event, each rendered once for every stream it reaches, found by
/// what it shows: a key the page makes of everything the fragment depends on but the viewer's
/// own values.
#[derive(Debug, Default)]
pub struct Fragments(Mutex<HashMap<String, Arc<SharedHtml>>>);

impl Fragments {
    /// The fragment of `key`, rendered by `render` only if no stream has asked for it yet
    /// (`None` when it cannot be rendered; nothing is kept then).
    pub fn get_or_render(
        &self,
        key: String,
        render: impl FnOnce() -> Option<SharedHtml>,
    ) -> Option<Arc<SharedHtml>> {
        if let Some(html) = self.lock().get(&key) {
            return Some(html.clone());
        }
        // Rendered outside the lock: the streams of other fragments do not wait for this one.
        let html = Arc::new(render()?);
        Some(self.lock().entry(key).or_insert(html).clone())
    }

    /// How many fragments were rendered.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<SharedHtml>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::{Fragments, SharedHtml};

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

    #[test]
    fn gaps_of_several_kinds_each_get_their_own_value() {
        let html = "<nav>__N__</nav><form>__T__</form>__C__<form>__T__</form>";
        let shared = SharedHtml::cut_at(html, &["__T__", "__N__", "__C__"]);
        let values = ["tok", "<a>Jean</a>", "<p>2</p>"];
        let mut copy = String::new();
        shared.write_filled(&values, &mut copy);
        assert_eq!(
            copy,
            "<nav><a>Jean</a></nav><form>tok</form><p>2</p><form>tok</form>"
        );
        assert_eq!(shared.len_filled(&values), copy.len());
        assert_eq!(
            (shared.count(0), shared.count(1), shared.count(2)),
            (2, 1, 1)
        );
    }

    #[test]
    fn a_fragment_is_rendered_once_per_key_and_a_failed_render_is_not_kept() {
        let fragments = Fragments::default();
        let mut renders = 0;
        for _ in 0..3 {
            let html = fragments.get_or_render("a".into(), || {
                renders += 1;
                Some(SharedHtml::cut("<b>__T__</b>", "__T__"))
            });
            assert_eq!(html.unwrap().with("x"), "<b>x</b>");
        }
        assert_eq!(renders, 1);
        assert!(fragments.get_or_render("b".into(), || None).is_none());
        let other = fragments.get_or_render("b".into(), || Some(SharedHtml::cut("<i/>", "__T__")));
        assert_eq!(other.unwrap().with("x"), "<i/>");
        assert_eq!(fragments.len(), 2);
    }
}
