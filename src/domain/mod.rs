//! Pure business rules: no Rocket, no Diesel, no I/O.

pub mod account;
pub mod allergen;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod contact;
pub mod dashboard;
pub mod floor;
pub mod hours;
pub mod ids;
pub mod login;
pub mod mail;
pub mod money;
pub mod order;
pub mod password;
pub mod payment;
pub mod photo;
pub mod pizzeria;
pub mod recap;
pub mod sales;
pub mod scrub;
pub mod staff;
pub mod stock;
pub mod supply;
pub mod text;
mod text_enum;
pub mod token;
