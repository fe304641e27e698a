//! Pure business rules: no Rocket, no Diesel, no I/O.

pub mod cart;
pub mod contact;
pub mod hours;
pub mod ids;
pub mod money;
pub mod order;
pub mod stock;
