//! Posted forms: every state-changing request passes the CSRF checks here before its fields
//! are read, and fields are taken one by one so that a field the form does not have is refused,
//! never bound.

use super::cookies::CSRF_COOKIE;
use super::error::AppError;
use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::http::Status;
use rocket::request::Request;
use std::collections::BTreeMap;

pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// A form posted from one of our own pages, with a valid CSRF token.
pub struct Posted(pub RawForm);

#[derive(Debug)]
pub enum Refused {
    CrossSite,
    BadToken,
    NotAForm,
    TooLarge,
    Unreadable,
}

/// Browsers say where a request comes from: refuse anything that is not our own origin.
pub fn same_origin(req: &Request<'_>) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get_one("Sec-Fetch-Site") {
        return matches!(site, "same-origin" | "none");
    }
    match (headers.get_one("Origin"), headers.get_one("Host")) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, h)| h == host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[rocket::async_trait]
impl<'r> FromData<'r> for Posted {
    type Error = Refused;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        use rocket::outcome::Outcome::{Error, Success};
        if !same_origin(req) {
            return Error((Status::Forbidden, Refused::CrossSite));
        }
        if !req.content_type().is_some_and(|ct| ct.is_form()) {
            return Error((Status::UnsupportedMediaType, Refused::NotAForm));
        }
        let limit = req.limits().get("form").unwrap_or_else(|| 64.kibibytes());
        let body = match data.open(limit).into_string().await {
            Ok(s) if s.is_complete() => s.into_inner(),
            Ok(_) => return Error((Status::PayloadTooLarge, Refused::TooLarge)),
            Err(_) => return Error((Status::BadRequest, Refused::Unreadable)),
        };
        let mut form = RawForm::from_body(&body);
        // htmx sends the header and the form's hidden field: the field is never a form field.
        let field = form.take(CSRF_FIELD);
        if token_matches(req, field) {
            Success(Posted(form))
        } else {
            Error((Status::Forbidden, Refused::BadToken))
        }
    }
}

/// Whether the request carries this browser's CSRF token: in the `X-CSRF-Token` header (htmx)
/// or else in the form's field.
pub fn token_matches(req: &Request<'_>, field: Option<String>) -> bool {
    let given = req
        .headers()
        .get_one(CSRF_HEADER)
        .map(str::to_string)
        .or(field);
    let expected = req
        .cookies()
        .get_private(CSRF_COOKIE)
        .map(|c| c.value().to_string());
    matches!((expected, given), (Some(e), Some(g)) if constant_time_eq(e.as_bytes(), g.as_bytes()))
}

/// The fields of a posted form, taken one by one.
#[derive(Debug, Default)]
pub struct RawForm {
    fields: Vec<(String, String)>,
}

impl RawForm {
    pub fn from_body(body: &str) -> RawForm {
        RawForm {
            fields: url::form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect(),
        }
    }

    /// Takes a field (its first value; a repeated field is left over and refused).
    pub fn take(&mut self, name: &str) -> Option<String> {
        let at = self.fields.iter().position(|(k, _)| k == name)?;
        Some(self.fields.remove(at).1)
    }

    /// Takes a field, missing meaning empty.
    pub fn text(&mut self, name: &str) -> String {
        self.take(name).unwrap_or_default()
    }

    /// Takes every `prefix[key]` field: `qty[12]=3` gives ("12", "3").
    pub fn take_indexed(&mut self, prefix: &str) -> Vec<(String, String)> {
        let open = format!("{prefix}[");
        let (matching, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.fields)
            .into_iter()
            .partition(|(k, _)| k.starts_with(&open) && k.ends_with(']'));
        self.fields = rest;
        matching
            .into_iter()
            .map(|(k, v)| (k[open.len()..k.len() - 1].to_string(), v))
            .collect()
    }

    /// For a form whose only field is its CSRF token: anything else is refused.
    pub fn expect_empty(self) -> Result<(), AppError> {
        let mut errors = FieldErrors::default();
        self.finish(&mut errors);
        errors.into_result()
    }

    /// For a form that does something irreversible: whether its confirmation field says yes
    /// (`confirm=oui`, sent by the question page); anything else is refused.
    pub fn confirmed(mut self) -> Result<bool, AppError> {
        let yes = self.take("confirm").is_some_and(|v| v == "oui");
        self.expect_empty()?;
        Ok(yes)
    }

    /// Fields the form does not have: reported, never bound.
    pub fn finish(self, errors: &mut FieldErrors) {
        if let Some((name, _)) = self.fields.first() {
            let shown: String = name.chars().take(40).collect();
            errors.add(
                "form",
                format!("Champ inattendu : « {shown} ». Rechargez la page et réessayez."),
            );
        }
    }
}

/// French messages, by field name, shown next to the fields.
#[derive(Debug, Default, Clone, serde::Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps the value of a parse, or records its error.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        parsed.map_err(|m| self.add(field, m)).ok()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn first(&self) -> Option<&str> {
        self.0.values().next().map(String::as_str)
    }

    /// For a form with no page to show its fields again: the first message as a 422.
    pub fn into_result(self) -> Result<(), AppError> {
        match self.first() {
            None => Ok(()),
            Some(m) => Err(AppError::Invalid(m.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_taken_once_and_leftovers_refused() {
        let mut f = RawForm::from_body("name=L%C3%A9a&qty%5B12%5D=3&qty[7]=1&price=1&name=again");
        assert_eq!(f.take("name").as_deref(), Some("Léa"));
        let mut q = f.take_indexed("qty");
        q.sort();
        assert_eq!(q, vec![("12".into(), "3".into()), ("7".into(), "1".into())]);
        let mut errors = FieldErrors::default();
        f.finish(&mut errors);
        assert!(errors.first().unwrap().contains("« price »"));
    }
}
