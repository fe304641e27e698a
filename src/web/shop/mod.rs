//! The customer's pages: pizzerias and menus, the cart, checkout, order tracking, accounts.

mod account;
mod cart;
mod checkout;
mod menu_page;
mod orders;
mod pay;
mod pizzerias;
mod views;

use rocket::Route;

pub fn routes() -> Vec<Route> {
    let mut all = pizzerias::routes();
    all.extend(menu_page::routes());
    all.extend(cart::routes());
    all.extend(checkout::routes());
    all.extend(orders::routes());
    all.extend(pay::routes());
    all.extend(account::routes());
    all
}
