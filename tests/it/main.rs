//! Integration tests: one binary, the production app, a fresh database per test, on SQLite and
//! (with `--features mysql` and OCPIZZA_TEST_MYSQL_URL) on MySQL/MariaDB.

mod harness;

mod account_life;
mod accounts;
mod authorization;
mod backup;
mod browser;
mod cart_stock;
mod catalog;
mod cli;
mod closed;
mod confirmation;
mod customer;
mod dashboard;
mod deploy;
mod details;
mod fixtures;
mod floor;
mod floor_input;
mod forms;
mod health;
mod layers;
mod live;
mod logins;
mod mail;
mod management;
mod management_input;
mod menu;
mod nginx;
mod order_numbers;
mod ordering;
mod pages;
mod photos;
mod pizzerias;
mod products;
mod reports;
mod restart;
mod runbook;
mod sessions;
mod stock;
mod supervised;
mod team;
mod telemetry;
mod workers;
