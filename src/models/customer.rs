//! What earlier orders tell the counter about a phone number.

use crate::db::schema::orders;
use crate::db::DbConn;
use crate::domain::ids::PizzeriaId;
use diesel::prelude::*;

/// What earlier orders of this phone number tell the counter: names and delivery addresses
/// (newest first, each once).
#[derive(Debug, Clone, Default)]
pub struct KnownCustomer {
    pub names: Vec<String>,
    pub emails: Vec<String>,
    pub addresses: Vec<(String, String, String, Option<String>)>,
}

pub fn known_customer(conn: &mut DbConn, p: PizzeriaId, phone: &str) -> QueryResult<KnownCustomer> {
    type Row = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = orders::table
        .filter(orders::pizzeria_id.eq(p))
        .filter(orders::customer_phone.eq(phone))
        .order(orders::id.desc())
        .limit(20)
        .select((
            orders::customer_name,
            orders::customer_email,
            orders::delivery_street,
            orders::delivery_postal_code,
            orders::delivery_city,
            orders::delivery_instructions,
        ))
        .load(conn)?;
    let mut known = KnownCustomer::default();
    for (name, email, street, postal, city, instructions) in rows {
        if !known.names.contains(&name) {
            known.names.push(name);
        }
        if !email.is_empty() && !known.emails.contains(&email) {
            known.emails.push(email);
        }
        if let (Some(s), Some(pc), Some(c)) = (street, postal, city) {
            if !known.addresses.iter().any(|a| a.0 == s && a.1 == pc) {
                known.addresses.push((s, pc, c, instructions));
            }
        }
    }
    known.names.truncate(3);
    known.addresses.truncate(3);
    Ok(known)
}
