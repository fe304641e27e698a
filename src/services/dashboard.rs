//! The dashboards' figures, each read in one snapshot: a pizzeria's day against the same
//! weekday of last week with its stock alerts, the group's pizzerias side by side with their
//! total, and the accountant's sales lines.

use crate::db::{read_snapshot, DbConn};
use crate::domain::dashboard::{figures, Figures};
use crate::domain::hours::paris;
use crate::domain::ids::PizzeriaId;
use crate::domain::sales::SaleLine;
use crate::domain::supply::StockState;
use crate::models::dashboard as rows;
use crate::models::pizzeria::Pizzeria;
use crate::models::stock_view::{self, IngredientLevel};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::result::QueryResult;

/// A pizzeria's day so far, and the same weekday of last week (whole).
pub struct PizzeriaDay {
    pub day: NaiveDate,
    pub today: Figures,
    pub last_week: Figures,
    /// Ingredients low or out, the lowest first.
    pub alerts: Vec<IngredientLevel>,
}

/// The Paris day of `now` (UTC) and the same weekday a week before.
pub fn days(now: NaiveDateTime) -> (NaiveDate, NaiveDate) {
    let today = paris(now.and_utc()).date();
    (today, today - Duration::days(7))
}

fn alerts(conn: &mut DbConn, p: PizzeriaId) -> QueryResult<Vec<IngredientLevel>> {
    let mut low: Vec<IngredientLevel> = stock_view::levels(conn, p)?
        .into_iter()
        .filter(|l| StockState::of(l.available(), l.threshold).alerting())
        .collect();
    low.sort_by_key(|l| (l.available() > 0, l.name.clone()));
    Ok(low)
}

fn of_day(
    conn: &mut DbConn,
    p: Option<PizzeriaId>,
    day: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<Figures> {
    let day = rows::day(conn, p, day)?;
    let orders: Vec<_> = day.orders.into_iter().map(|(_, o)| o).collect();
    Ok(figures(&orders, &day.lines, now))
}

pub fn pizzeria(conn: &mut DbConn, p: PizzeriaId, now: NaiveDateTime) -> QueryResult<PizzeriaDay> {
    let (today, last_week) = days(now);
    read_snapshot(conn, |c| {
        Ok(PizzeriaDay {
            day: today,
            today: of_day(c, Some(p), today, now)?,
            last_week: of_day(c, Some(p), last_week, now)?,
            alerts: alerts(c, p)?,
        })
    })
}

/// One pizzeria's column of the group dashboard.
pub struct Column {
    pub pizzeria: Pizzeria,
    pub today: Figures,
    pub last_week: Figures,
    pub alerts: usize,
}

pub struct GroupDay {
    pub day: NaiveDate,
    pub columns: Vec<Column>,
    pub total: Figures,
    pub total_last_week: Figures,
}

/// Every active pizzeria's day, and the group's total. Two reads of all orders per day, then
/// one of the stock per pizzeria.
pub fn group(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<GroupDay> {
    let (today, last_week) = days(now);
    read_snapshot(conn, |c| {
        let pizzerias = Pizzeria::list_active(c)?;
        let split = |day: rows::Day| -> Vec<Figures> {
            pizzerias
                .iter()
                .map(|p| {
                    let orders: Vec<_> = day
                        .orders
                        .iter()
                        .filter(|(of, _)| *of == p.id)
                        .map(|(_, o)| o.clone())
                        .collect();
                    figures(&orders, &day.lines, now)
                })
                .collect()
        };
        let now_figures = split(rows::day(c, None, today)?);
        let before = split(rows::day(c, None, last_week)?);
        let mut total = Figures::default();
        let mut total_last_week = Figures::default();
        let mut columns = Vec::new();
        for ((pizzeria, t), w) in pizzerias.into_iter().zip(now_figures).zip(before) {
            total.merge(&t);
            total_last_week.merge(&w);
            columns.push(Column {
                alerts: alerts(c, pizzeria.id)?.len(),
                pizzeria,
                today: t,
                last_week: w,
            });
        }
        Ok(GroupDay {
            day: today,
            columns,
            total,
            total_last_week,
        })
    })
}

/// The lines sold at every pizzeria from `from` to `to`, both included.
pub fn sales(conn: &mut DbConn, from: NaiveDate, to: NaiveDate) -> QueryResult<Vec<SaleLine>> {
    read_snapshot(conn, |c| rows::sale_lines(c, from, to))
}
