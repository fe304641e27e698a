//! A file posted from one of our own pages (`multipart/form-data`): the same origin and CSRF
//! checks as every form (see `form`), then the one file field `photo`, read up to a limit. A
//! file over the limit is still read to the end of the body, up to a hard cap, so that the
//! browser gets the page that says why (a 413 with the form), not a cut connection.

use super::form::{same_origin, token_matches, Refused, CSRF_FIELD};
use crate::domain::photo::{PhotoError, MAX_BYTES};
use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::http::Status;
use rocket::request::Request;

/// The name of the file field.
pub const FILE_FIELD: &str = "photo";
/// The whole body read at most: the file's limit and room for the form around it.
const HARD_CAP: usize = MAX_BYTES + 1024 * 1024;

/// A file posted with a valid CSRF token.
pub struct PostedFile {
    bytes: Vec<u8>,
    over_limit: bool,
    unexpected: Option<String>,
}

/// Why a posted file is not taken, as the form shows it.
pub enum FileRefusal {
    /// Over `MAX_BYTES`: a 413 with the form.
    TooLarge(PhotoError),
    /// A field the form does not have.
    Unexpected(String),
}

impl PostedFile {
    /// The file's bytes (empty when none was chosen), or why they are not taken.
    pub fn bytes(self) -> Result<Vec<u8>, FileRefusal> {
        if let Some(name) = self.unexpected {
            let shown: String = name.chars().take(40).collect();
            return Err(FileRefusal::Unexpected(format!(
                "Champ inattendu : « {shown} ». Rechargez la page et réessayez."
            )));
        }
        if self.over_limit {
            return Err(FileRefusal::TooLarge(PhotoError::TooLarge));
        }
        Ok(self.bytes)
    }
}

struct Read {
    token: Option<String>,
    file: PostedFile,
}

async fn read_fields(mut multipart: multer::Multipart<'_>) -> Result<Read, multer::Error> {
    let mut read = Read {
        token: None,
        file: PostedFile {
            bytes: Vec::new(),
            over_limit: false,
            unexpected: None,
        },
    };
    while let Some(mut field) = multipart.next_field().await? {
        match field.name() {
            Some(CSRF_FIELD) if read.token.is_none() => read.token = Some(field.text().await?),
            Some(FILE_FIELD) if read.file.bytes.is_empty() && !read.file.over_limit => {
                let file = &mut read.file;
                while let Some(chunk) = field.chunk().await? {
                    if file.bytes.len() + chunk.len() > MAX_BYTES {
                        file.over_limit = true;
                        file.bytes = Vec::new();
                    } else if !file.over_limit {
                        file.bytes.extend_from_slice(&chunk);
                    }
                }
            }
            other => {
                let name = other.unwrap_or_default().to_string();
                read.file.unexpected.get_or_insert(name);
            }
        }
    }
    Ok(read)
}

#[rocket::async_trait]
impl<'r> FromData<'r> for PostedFile {
    type Error = Refused;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        use rocket::outcome::Outcome::{Error, Success};
        if !same_origin(req) {
            return Error((Status::Forbidden, Refused::CrossSite));
        }
        let boundary = match req.content_type() {
            Some(ct) if ct.is_form_data() => ct.param("boundary").map(str::to_string),
            _ => None,
        };
        let Some(boundary) = boundary else {
            return Error((Status::UnsupportedMediaType, Refused::NotAForm));
        };
        let limits = multer::Constraints::new()
            .size_limit(multer::SizeLimit::new().whole_stream(HARD_CAP as u64));
        let stream = data.open((HARD_CAP + 1).bytes());
        let multipart = multer::Multipart::with_reader_with_constraints(stream, boundary, limits);
        match read_fields(multipart).await {
            Ok(read) if token_matches(req, read.token.clone()) => Success(read.file),
            Ok(_) => Error((Status::Forbidden, Refused::BadToken)),
            Err(multer::Error::StreamSizeExceeded { .. }) => {
                Error((Status::PayloadTooLarge, Refused::TooLarge))
            }
            Err(_) => Error((Status::BadRequest, Refused::Unreadable)),
        }
    }
}
