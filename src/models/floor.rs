//! What the pizzeria floor reads and writes: its pace, its open orders with lines and steps.

use super::order::OrderRow;
use crate::db::schema::{
    order_events, order_lines, orders, pizzerias, products, stock_movements, users,
};
use crate::db::{read_snapshot, DbConn};
use crate::domain::catalog::ProductKind;
use crate::domain::floor::{Pace, QueueItem};
use crate::domain::ids::{IngredientId, OrderId, PizzeriaId, ProductId, UserId};
use crate::domain::order::{Actor, Fulfilment, OrderStatus, PaymentStatus};
use crate::domain::stock::MovementReason;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

pub const OPEN: [OrderStatus; 4] = [
    OrderStatus::Received,
    OrderStatus::InPreparation,
    OrderStatus::Ready,
    OrderStatus::OutForDelivery,
];

pub fn pace(conn: &mut DbConn, p: PizzeriaId) -> QueryResult<Option<Pace>> {
    pizzerias::table
        .find(p)
        .select((
            pizzerias::minutes_per_pizza,
            pizzerias::ovens,
            pizzerias::delivery_minutes,
            pizzerias::later_lead_minutes,
            pizzerias::amber_after_minutes,
            pizzerias::red_after_minutes,
        ))
        .first::<(i32, i32, i32, i32, i32, i32)>(conn)
        .optional()
        .map(|row| {
            row.map(|(a, b, c, d, e, f)| Pace {
                minutes_per_pizza: a,
                ovens: b,
                delivery_minutes: c,
                later_lead_minutes: d,
                amber_after_minutes: e,
                red_after_minutes: f,
            })
        })
}

pub fn set_pace(conn: &mut DbConn, p: PizzeriaId, pace: &Pace) -> QueryResult<()> {
    diesel::update(pizzerias::table.find(p))
        .set((
            pizzerias::minutes_per_pizza.eq(pace.minutes_per_pizza),
            pizzerias::ovens.eq(pace.ovens),
            pizzerias::delivery_minutes.eq(pace.delivery_minutes),
            pizzerias::later_lead_minutes.eq(pace.later_lead_minutes),
            pizzerias::amber_after_minutes.eq(pace.amber_after_minutes),
            pizzerias::red_after_minutes.eq(pace.red_after_minutes),
        ))
        .execute(conn)
        .map(drop)
}

/// The kitchen's queue as the promise sees it: open orders not started or being prepared,
/// with their pizza count. Two queries.
pub fn queue(conn: &mut DbConn, p: PizzeriaId) -> QueryResult<Vec<QueueItem>> {
    let open: Vec<(
        OrderId,
        OrderStatus,
        Fulfilment,
        NaiveDateTime,
        Option<NaiveDateTime>,
    )> = orders::table
        .filter(orders::pizzeria_id.eq(p))
        .filter(orders::status.eq_any([OrderStatus::Received, OrderStatus::InPreparation]))
        .select((
            orders::id,
            orders::status,
            orders::fulfilment,
            orders::created_at,
            orders::desired_at,
        ))
        .load(conn)?;
    let ids: Vec<OrderId> = open.iter().map(|o| o.0).collect();
    let counts = pizza_counts(conn, &ids)?;
    Ok(open
        .into_iter()
        .map(
            |(id, status, fulfilment, created_at, desired_at)| QueueItem {
                id,
                status,
                fulfilment,
                created_at,
                desired_at,
                pizzas: counts.get(&id).copied().unwrap_or(0),
            },
        )
        .collect())
}

fn pizza_counts(conn: &mut DbConn, ids: &[OrderId]) -> QueryResult<HashMap<OrderId, i64>> {
    let rows: Vec<(OrderId, i32)> = order_lines::table
        .inner_join(products::table)
        .filter(order_lines::order_id.eq_any(ids))
        .filter(products::kind.eq(ProductKind::Pizza))
        .select((order_lines::order_id, order_lines::quantity))
        .load(conn)?;
    let mut sums = HashMap::new();
    for (id, qty) in rows {
        *sums.entry(id).or_insert(0) += i64::from(qty);
    }
    Ok(sums)
}

/// One line of a ticket.
#[derive(Debug, Clone)]
pub struct TicketLine {
    pub product: ProductId,
    pub name: String,
    pub kind: ProductKind,
    pub qty: i32,
}

/// One step of an order's log, with the name of the person who made it.
#[derive(Debug, Clone)]
pub struct FloorStep {
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub actor: Actor,
    pub who: Option<String>,
    pub reason: Option<String>,
    pub at: NaiveDateTime,
}

/// An order on the floor.
#[derive(Debug, Clone)]
pub struct FloorOrder {
    pub order: OrderRow,
    pub lines: Vec<TicketLine>,
    pub steps: Vec<FloorStep>,
    pub driver: Option<String>,
}

impl FloorOrder {
    pub fn queue_item(&self) -> QueueItem {
        QueueItem {
            id: self.order.id,
            status: self.order.status,
            fulfilment: self.order.fulfilment,
            created_at: self.order.created_at,
            desired_at: self.order.desired_at,
            pizzas: self.pizzas(),
        }
    }

    pub fn pizzas(&self) -> i64 {
        self.lines
            .iter()
            .filter(|l| l.kind == ProductKind::Pizza)
            .map(|l| i64::from(l.qty))
            .sum()
    }

    pub fn last_step(&self) -> Option<&FloorStep> {
        self.steps.last()
    }

    /// When it reached a status (its newest step there).
    pub fn reached(&self, status: OrderStatus) -> Option<NaiveDateTime> {
        self.steps
            .iter()
            .rev()
            .find(|s| s.to == status && s.from != Some(status))
            .map(|s| s.at)
    }
}

/// Everything the floor's screens show of a pizzeria, as of one moment: the open orders and
/// those cancelled since `cancelled_since` (still struck through on the kitchen screen).
#[derive(Debug, Clone)]
pub struct Floor {
    /// None: no such pizzeria.
    pub name: Option<String>,
    pub pace: Pace,
    pub orders: Vec<FloorOrder>,
    /// The products that go in the oven (pizzas), to count a new order's.
    pub pizza_products: Vec<ProductId>,
}

impl Floor {
    /// The kitchen's queue: the orders received or being prepared.
    pub fn queue(&self) -> Vec<QueueItem> {
        self.orders
            .iter()
            .filter(|o| {
                matches!(
                    o.order.status,
                    OrderStatus::Received | OrderStatus::InPreparation
                )
            })
            .map(FloorOrder::queue_item)
            .collect()
    }
}

pub fn floor(
    conn: &mut DbConn,
    p: PizzeriaId,
    cancelled_since: NaiveDateTime,
) -> QueryResult<Floor> {
    read_snapshot(conn, |c| {
        let pace = pace(c, p)?.unwrap_or_default();
        let name = pizzerias::table
            .find(p)
            .select(pizzerias::name)
            .first::<String>(c)
            .optional()?;
        let rows: Vec<OrderRow> = orders::table
            .filter(orders::pizzeria_id.eq(p))
            .filter(
                orders::status.eq_any(OPEN).or(orders::status
                    .eq(OrderStatus::Cancelled)
                    .and(orders::updated_at.ge(cancelled_since))),
            )
            .order(orders::id.asc())
            .select(OrderRow::as_select())
            .load(c)?;
        let orders = with_details(c, rows)?;
        let pizza_products = products::table
            .filter(products::kind.eq(ProductKind::Pizza))
            .select(products::id)
            .load(c)?;
        Ok(Floor {
            name,
            pace,
            orders,
            pizza_products,
        })
    })
}

/// Some orders with their lines, steps and driver: three queries whatever their number.
pub fn with_details(conn: &mut DbConn, rows: Vec<OrderRow>) -> QueryResult<Vec<FloorOrder>> {
    let ids: Vec<OrderId> = rows.iter().map(|o| o.id).collect();
    let mut lines = lines_of(conn, &ids)?;
    let mut steps = steps_of(conn, &ids)?;
    let driver_ids: Vec<UserId> = rows.iter().filter_map(|o| o.driver_id).collect();
    let drivers: HashMap<UserId, String> = if driver_ids.is_empty() {
        HashMap::new()
    } else {
        users::table
            .filter(users::id.eq_any(&driver_ids))
            .select((users::id, users::full_name))
            .load::<(UserId, String)>(conn)?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|order| FloorOrder {
            lines: lines.remove(&order.id).unwrap_or_default(),
            steps: steps.remove(&order.id).unwrap_or_default(),
            driver: order.driver_id.and_then(|d| drivers.get(&d).cloned()),
            order,
        })
        .collect())
}

fn lines_of(conn: &mut DbConn, ids: &[OrderId]) -> QueryResult<HashMap<OrderId, Vec<TicketLine>>> {
    let rows: Vec<(OrderId, ProductId, String, ProductKind, i32)> = order_lines::table
        .inner_join(products::table)
        .filter(order_lines::order_id.eq_any(ids))
        .order(order_lines::id.asc())
        .select((
            order_lines::order_id,
            order_lines::product_id,
            order_lines::product_name,
            products::kind,
            order_lines::quantity,
        ))
        .load(conn)?;
    let mut lines: HashMap<OrderId, Vec<TicketLine>> = HashMap::new();
    for (order, product, name, kind, qty) in rows {
        let line = TicketLine {
            product,
            name,
            kind,
            qty,
        };
        lines.entry(order).or_default().push(line);
    }
    Ok(lines)
}

type StepRow = (
    OrderId,
    Option<OrderStatus>,
    OrderStatus,
    Actor,
    Option<String>,
    Option<String>,
    NaiveDateTime,
);

fn steps_of(conn: &mut DbConn, ids: &[OrderId]) -> QueryResult<HashMap<OrderId, Vec<FloorStep>>> {
    let rows: Vec<StepRow> = order_events::table
        .left_join(users::table.on(users::id.nullable().eq(order_events::actor_user_id)))
        .filter(order_events::order_id.eq_any(ids))
        .order(order_events::id.asc())
        .select((
            order_events::order_id,
            order_events::from_status,
            order_events::to_status,
            order_events::actor_kind,
            users::full_name.nullable(),
            order_events::reason,
            order_events::created_at,
        ))
        .load(conn)?;
    let mut steps: HashMap<OrderId, Vec<FloorStep>> = HashMap::new();
    for (order, from, to, actor, who, reason, at) in rows {
        let step = FloorStep {
            from,
            to,
            actor,
            who,
            reason,
            at,
        };
        steps.entry(order).or_default().push(step);
    }
    Ok(steps)
}

/// One order of this pizzeria with its details, or None (unknown, or another pizzeria's).
pub fn order_of(conn: &mut DbConn, p: PizzeriaId, id: OrderId) -> QueryResult<Option<FloorOrder>> {
    let row = super::order::of_pizzeria(conn, p, id)?;
    Ok(with_details(conn, row.into_iter().collect())?.pop())
}

/// What the kitchen consumed for an order, per ingredient (the consumption net of undos).
pub fn consumed_for(conn: &mut DbConn, order: OrderId) -> QueryResult<Vec<(IngredientId, i64)>> {
    let rows: Vec<(IngredientId, i64)> = stock_movements::table
        .filter(stock_movements::order_id.eq(order))
        .filter(stock_movements::reason.eq(MovementReason::Consume))
        .select((
            stock_movements::ingredient_id,
            stock_movements::delta_on_hand,
        ))
        .load(conn)?;
    let mut sums = std::collections::BTreeMap::new();
    for (ingredient, delta) in rows {
        *sums.entry(ingredient).or_insert(0) -= delta;
    }
    Ok(sums.into_iter().filter(|(_, q)| *q > 0).collect())
}

/// Sends an order out with its driver (if it is still READY and has no open problem).
pub fn set_out_with(
    conn: &mut DbConn,
    id: OrderId,
    driver: UserId,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        orders::table
            .find(id)
            .filter(orders::status.eq(OrderStatus::Ready))
            .filter(orders::delivery_problem.is_null()),
    )
    .set((
        orders::status.eq(OrderStatus::OutForDelivery),
        orders::driver_id.eq(Some(driver)),
        orders::updated_at.eq(at),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Records (Some) or clears (None) why the last delivery failed.
pub fn set_delivery_problem(
    conn: &mut DbConn,
    id: OrderId,
    problem: Option<&str>,
) -> QueryResult<()> {
    diesel::update(orders::table.find(id))
        .set(orders::delivery_problem.eq(problem))
        .execute(conn)
        .map(drop)
}

pub fn set_payment_status(conn: &mut DbConn, id: OrderId, s: PaymentStatus) -> QueryResult<()> {
    diesel::update(orders::table.find(id))
        .set(orders::payment_status.eq(s))
        .execute(conn)
        .map(drop)
}
