//! Product photos: the sizes made from an upload are written under the media folder, outside
//! the database and before any transaction (slow work, and a file is never half-written: each
//! is written aside, then renamed); then one transaction names them on the product. Files are
//! named after the upload's content, so a file once written never changes.

use super::catalog::CatalogError;
use crate::db::{write_tx, DbConn};
use crate::domain::ids::ProductId;
use crate::domain::photo::{self, PhotoError};
use crate::models::catalog_admin;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Refused(#[from] PhotoError),
    #[error("cannot write the photo under the media folder: {0}")]
    Io(#[from] io::Error),
}

/// The folder of the products' photos.
pub fn folder(media_dir: &Path) -> PathBuf {
    media_dir.join(photo::FOLDER)
}

/// Checks an upload, makes its sizes and writes them; gives the key that names them. CPU and
/// disk work: run it on a blocking thread.
pub fn store(media_dir: &Path, upload: &[u8]) -> Result<String, StoreError> {
    let made = photo::prepare(upload)?;
    let dir = folder(media_dir);
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in &made.files {
        let path = dir.join(name);
        if path.is_file() {
            continue;
        }
        let aside = dir.join(format!(".{name}.{:08x}.part", rand::random::<u32>()));
        let written = std::fs::write(&aside, bytes).and_then(|()| std::fs::rename(&aside, &path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&aside);
            return Err(e.into());
        }
    }
    Ok(made.key)
}

/// The product shows the photo of `key` (what `store` gave) or, with None, none. The files
/// stay: a page already served may still show them, and another product may share them.
pub fn attach(
    conn: &mut DbConn,
    product: ProductId,
    key: Option<&str>,
) -> Result<(), CatalogError> {
    write_tx(conn, |c| {
        if catalog_admin::set_photo(c, product, key)? {
            Ok(())
        } else {
            Err(CatalogError::UnknownProduct)
        }
    })
}
