//! How the dashboards show their figures, for the pizzeria's page and the group's: the day's
//! tiles, the top products, and the charts of orders and revenue per hour, today against the
//! same weekday of last week, drawn here as SVG (no script, nothing from elsewhere).

use crate::domain::dashboard::{Figures, Hour, Mean};
use crate::domain::hours::WEEKDAYS;
use crate::domain::money::Money;
use crate::domain::order::OrderStatus;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The day's tiles of one pizzeria (or of the group).
#[derive(Serialize)]
pub struct Tiles {
    pub statuses: Vec<StatusCount>,
    /// Waiting for the kitchen, and in the oven.
    pub waiting: i64,
    pub cooking: i64,
    pub sales: i64,
    pub sales_before: i64,
    pub revenue: String,
    pub revenue_before: String,
    pub basket: String,
    pub to_start: String,
    pub to_ready: String,
    pub to_done: String,
    pub late_now: i64,
    pub served_late: i64,
    pub top: Vec<TopRow>,
}

#[derive(Serialize)]
pub struct StatusCount {
    pub key: &'static str,
    pub label: &'static str,
    pub count: i64,
}

#[derive(Serialize)]
pub struct TopRow {
    pub product: String,
    pub quantity: i64,
    pub revenue: String,
}

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// "mercredi 2 décembre 2026".
pub fn french_day(day: NaiveDate) -> String {
    let weekday = WEEKDAYS[day.weekday().num_days_from_monday() as usize].to_lowercase();
    format!(
        "{weekday} {} {} {}",
        day.day(),
        MONTHS[day.month0() as usize],
        day.year()
    )
}

/// A rendered board without its header (the time of the last update): two boards with the
/// same figures are the same board. Boards write `<!-- figures -->` after their header.
fn figures_part(html: &str) -> &str {
    html.split_once("<!-- figures -->")
        .map_or(html, |(_, rest)| rest)
}

/// The `board` event of a live dashboard, only when its figures changed since `shown`.
pub fn board_event(shown: &mut String, html: String) -> Vec<rocket::response::stream::Event> {
    if figures_part(&html) == figures_part(shown) {
        return Vec::new();
    }
    *shown = html;
    vec![rocket::response::stream::Event::data(shown.clone()).event("board")]
}

/// How many products the top lists.
pub const TOP: usize = 5;

fn minutes(m: Mean) -> String {
    m.minutes()
        .map_or_else(|| "—".into(), |m| format!("{m} min"))
}

pub fn tiles(today: &Figures, before: &Figures) -> Tiles {
    Tiles {
        statuses: today
            .by_status
            .iter()
            .map(|&(s, count)| StatusCount {
                key: s.as_str(),
                label: s.label(),
                count,
            })
            .collect(),
        waiting: today.count(OrderStatus::Received),
        cooking: today.count(OrderStatus::InPreparation),
        sales: today.sales,
        sales_before: before.sales,
        revenue: today.revenue.to_string(),
        revenue_before: before.revenue.to_string(),
        basket: today
            .average_basket()
            .map_or_else(|| "—".into(), |m| m.to_string()),
        to_start: minutes(today.to_start),
        to_ready: minutes(today.to_ready),
        to_done: minutes(today.to_done),
        late_now: today.late_now,
        served_late: today.served_late,
        top: today
            .top
            .iter()
            .take(TOP)
            .map(|t| TopRow {
                product: t.product.clone(),
                quantity: t.quantity,
                revenue: t.revenue.to_string(),
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub struct Chart {
    pub id: &'static str,
    pub title: &'static str,
    pub summary: String,
    pub width: u32,
    pub height: u32,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
    pub hours: Vec<Tick>,
    pub rows: Vec<ChartRow>,
}

#[derive(Serialize)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub class: &'static str,
    pub title: String,
}

#[derive(Serialize)]
pub struct Tick {
    pub x: f64,
    pub y: f64,
    pub text: String,
}

#[derive(Serialize)]
pub struct ChartRow {
    pub hour: String,
    pub today: String,
    pub before: String,
}

const WIDTH: u32 = 480;
const HEIGHT: u32 = 200;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 8.0;
const TOP_PAD: f64 = 12.0;
const BOTTOM: f64 = 26.0;
/// The hours always drawn (Paris): lunch to late evening, widened to any hour with orders.
const FIRST_HOUR: usize = 11;
const LAST_HOUR: usize = 23;

/// 1, 2 or 5 times a power of ten, at least `v`: a scale that reads at a glance.
fn nice_ceiling(v: i64) -> i64 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step >= v {
                return m * step;
            }
        }
        step *= 10;
    }
}

fn hours_drawn(today: &[Hour; 24], before: &[Hour; 24]) -> (usize, usize) {
    let busy = |h: &Hour| h.orders > 0;
    let first = (0..24).find(|&h| busy(&today[h]) || busy(&before[h]));
    let last = (0..24).rev().find(|&h| busy(&today[h]) || busy(&before[h]));
    (
        first.map_or(FIRST_HOUR, |f| f.min(FIRST_HOUR)),
        last.map_or(LAST_HOUR, |l| l.max(LAST_HOUR)),
    )
}

/// How a chart reads its values: each hour's (in the chart's unit), written exactly, and
/// written short on the axis.
struct Measure<V, S, A> {
    value: V,
    show: S,
    axis: A,
}

/// Where things go on a chart: its first hour, the width of an hour, the top of its scale.
struct Frame {
    first: usize,
    slot: f64,
    max: i64,
}

const PLOT_H: f64 = HEIGHT as f64 - TOP_PAD - BOTTOM;

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

impl Frame {
    fn y_of(&self, v: i64) -> f64 {
        TOP_PAD + PLOT_H - PLOT_H * (v as f64) / (self.max as f64)
    }

    /// The two bars of an hour: last week's, then today's.
    fn bars(&self, h: usize, today: i64, before: i64, show: &dyn Fn(i64) -> String) -> [Bar; 2] {
        let x0 = LEFT + self.slot * (h - self.first) as f64;
        [
            (before, 0.12, "before", "semaine dernière"),
            (today, 0.5, "today", "aujourd'hui"),
        ]
        .map(|(v, offset, class, when)| {
            let y = self.y_of(v);
            Bar {
                x: round(x0 + self.slot * offset),
                y: round(y),
                w: round(self.slot * 0.38),
                h: round(TOP_PAD + PLOT_H - y),
                class,
                title: format!("{h}h, {when} : {}", show(v)),
            }
        })
    }
}

fn chart<V, S, A>(
    id: &'static str,
    title: &'static str,
    today: &[Hour; 24],
    before: &[Hour; 24],
    m: Measure<V, S, A>,
) -> Chart
where
    V: Fn(&Hour) -> i64,
    S: Fn(i64) -> String,
    A: Fn(i64) -> String,
{
    let Measure { value, show, axis } = m;
    let (first, last) = hours_drawn(today, before);
    let values: Vec<(usize, i64, i64)> = (first..=last)
        .map(|h| (h, value(&today[h]), value(&before[h])))
        .collect();
    let peak = values.iter().map(|&(_, t, b)| t.max(b)).max().unwrap_or(0);
    let frame = Frame {
        first,
        slot: (f64::from(WIDTH) - LEFT - RIGHT) / values.len() as f64,
        max: nice_ceiling(peak.max(1)),
    };
    let bars = values
        .iter()
        .flat_map(|&(h, t, b)| frame.bars(h, t, b, &show))
        .collect();
    let hours = values
        .iter()
        .step_by(2)
        .map(|&(h, _, _)| Tick {
            x: round(LEFT + frame.slot * ((h - first) as f64 + 0.5)),
            y: f64::from(HEIGHT) - 6.0,
            text: format!("{h}h"),
        })
        .collect();
    let rows = values
        .iter()
        .filter(|&&(_, t, b)| t > 0 || b > 0)
        .map(|&(h, t, b)| ChartRow {
            hour: format!("{h}h"),
            today: show(t),
            before: show(b),
        })
        .collect();
    let ticks = [0, frame.max / 2, frame.max]
        .into_iter()
        .map(|v| Tick {
            x: LEFT - 6.0,
            y: round(frame.y_of(v)),
            text: axis(v),
        })
        .collect();
    let sum_t: i64 = today.iter().map(&value).sum();
    let sum_b: i64 = before.iter().map(&value).sum();
    Chart {
        id,
        title,
        summary: format!(
            "{title} : {} aujourd'hui, {} le même jour la semaine dernière.",
            show(sum_t),
            show(sum_b)
        ),
        width: WIDTH,
        height: HEIGHT,
        bars,
        ticks,
        hours,
        rows,
    }
}

/// The two charts of a day: orders per hour, revenue per hour.
pub fn charts(today: &Figures, before: &Figures) -> Vec<Chart> {
    vec![
        chart(
            "orders",
            "Commandes par heure",
            &today.hours,
            &before.hours,
            Measure {
                value: |h: &Hour| h.orders,
                show: |v: i64| v.to_string(),
                axis: |v: i64| v.to_string(),
            },
        ),
        chart(
            "revenue",
            "Chiffre d'affaires par heure",
            &today.hours,
            &before.hours,
            Measure {
                value: |h: &Hour| h.revenue.cents(),
                show: |v: i64| Money::from_cents(v).to_string(),
                axis: |v: i64| format!("{}\u{a0}€", v / 100),
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_in_french() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(french_day(day), "mercredi 2 décembre 2026");
    }

    #[test]
    fn scales_are_round_numbers() {
        assert_eq!(nice_ceiling(1), 1);
        assert_eq!(nice_ceiling(3), 5);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(11), 20);
        assert_eq!(nice_ceiling(4_321), 5_000);
    }

    #[test]
    fn a_chart_draws_both_days_on_one_scale() {
        let mut today = Figures::default();
        let mut before = Figures::default();
        today.hours[12].orders = 4;
        before.hours[12].orders = 2;
        before.hours[9].orders = 1;
        let c = &charts(&today, &before)[0];
        // 9h to 23h: two bars an hour.
        assert_eq!(c.bars.len(), 15 * 2);
        let noon: Vec<&Bar> = c
            .bars
            .iter()
            .filter(|b| b.title.starts_with("12h"))
            .collect();
        assert_eq!(noon.len(), 2);
        let (b, t) = (noon[0], noon[1]);
        assert_eq!(t.class, "today");
        assert!((t.h - 2.0 * b.h).abs() < 0.2, "{} vs {}", t.h, b.h);
        assert_eq!(c.ticks.last().map(|t| t.text.as_str()), Some("5"));
        assert_eq!(c.rows.len(), 2);
        assert!(c.summary.contains("4 aujourd'hui, 3 le même jour"));
    }
}
