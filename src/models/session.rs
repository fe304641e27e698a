//! Server-side sessions. The cookie carries a random token; the table keeps only its SHA-256,
//! so a leaked table does not leak usable sessions.

use crate::db::schema::sessions;
use crate::db::DbConn;
use crate::domain::cart::Cart;
use crate::domain::ids::UserId;
use crate::domain::token::SessionId;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

/// What a session remembers besides its user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart: Option<Cart>,
    /// Shown in the header once logged in (saves a query per page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: SessionId,
    pub user_id: Option<UserId>,
    pub data: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

impl SessionRow {
    pub fn data(&self) -> SessionData {
        serde_json::from_str(&self.data).unwrap_or_default()
    }
}

pub fn find(conn: &mut DbConn, id: &SessionId) -> QueryResult<Option<SessionRow>> {
    sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConn, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn save_data(conn: &mut DbConn, id: &SessionId, data: &SessionData) -> QueryResult<()> {
    let json = serde_json::to_string(data).expect("session data serialises");
    diesel::update(sessions::table.find(id))
        .set(sessions::data.eq(json))
        .execute(conn)
        .map(drop)
}

/// Reads a session and locks its row until the end of the transaction: `FOR UPDATE` on MySQL
/// (not shared by the two backends, hence the match); SQLite write transactions are already
/// serialised.
pub fn find_locked(conn: &mut DbConn, id: &SessionId) -> QueryResult<Option<SessionRow>> {
    let query = sessions::table.find(id);
    match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(c) => query
            .select(SessionRow::as_select())
            .for_update()
            .first(c)
            .optional(),
        DbConn::Sqlite(c) => query.select(SessionRow::as_select()).first(c).optional(),
    }
}

pub fn touch(
    conn: &mut DbConn,
    id: &SessionId,
    now: NaiveDateTime,
    expires: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(sessions::table.find(id))
        .set((
            sessions::last_seen_at.eq(now),
            sessions::expires_at.eq(expires),
        ))
        .execute(conn)
        .map(drop)
}

pub fn delete(conn: &mut DbConn, id: &SessionId) -> QueryResult<()> {
    diesel::delete(sessions::table.find(id))
        .execute(conn)
        .map(drop)
}

pub fn delete_expired(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.lt(now))).execute(conn)
}

/// Ends the sessions of an account, but `keep` (the browser asking, when it stays signed in).
pub fn delete_of_user(
    conn: &mut DbConn,
    user: UserId,
    keep: Option<&SessionId>,
) -> QueryResult<usize> {
    let of_user = sessions::table.filter(sessions::user_id.eq(user));
    match keep {
        Some(id) => diesel::delete(of_user.filter(sessions::id.ne(id))).execute(conn),
        None => diesel::delete(of_user).execute(conn),
    }
}
