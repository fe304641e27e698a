//! The stock service: all-or-nothing reservations that never oversell, and a ledger that
//! always explains the levels.

use crate::each_backend;
use crate::fixtures;
use crate::harness::TestApp;
use ocpizza::db::DbPool;
use ocpizza::domain::ids::{IngredientId, PizzeriaId};
use ocpizza::domain::stock::MovementReason;
use ocpizza::models::stock::{self as rows, Context, Level};
use ocpizza::services::stock::{self, Need, StockError};

fn need(ingredient: IngredientId, qty: i64) -> Need {
    Need { ingredient, qty }
}

fn level(pool: &DbPool, p: PizzeriaId, i: IngredientId) -> Level {
    rows::level(&mut pool.get().unwrap(), p, i)
        .unwrap()
        .unwrap()
}

fn assert_ledger_explains(pool: &DbPool, p: PizzeriaId, i: IngredientId) {
    let mut c = pool.get().unwrap();
    assert_eq!(
        rows::ledger_sum(&mut c, p, i).unwrap(),
        rows::level(&mut c, p, i).unwrap().unwrap()
    );
}

/// Sets an item to an exact level through the service (an inventory count).
fn set_on_hand(pool: &DbPool, p: PizzeriaId, i: IngredientId, qty: i64) {
    stock::count(&mut pool.get().unwrap(), p, i, qty, Context::default()).unwrap();
}

async fn demo_item(app: &TestApp, ingredient: &'static str) -> (PizzeriaId, IngredientId) {
    app.with_conn(move |c| {
        (
            fixtures::pizzeria(c, "bastille"),
            fixtures::ingredient(c, ingredient),
        )
    })
    .await
}

each_backend! {
    async fn concurrent_reservations_never_oversell(db) {
        let app = TestApp::with_demo(db).await;
        let (p, capers) = demo_item(&app, "Câpres").await;
        let olives = app.with_conn(|c| fixtures::ingredient(c, "Olives noires")).await;
        set_on_hand(&app.pool, p, capers, 500);
        set_on_hand(&app.pool, p, olives, 10_000);
        let threads: Vec<_> = (0..24)
            .map(|t| {
                let pool = app.pool.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    let (mut won, mut refused) = (0, 0);
                    for _ in 0..10 {
                        // Half the threads list the ingredients the other way round.
                        let mut needs = vec![need(capers, 7), need(olives, 3)];
                        if t % 2 == 1 {
                            needs.reverse();
                        }
                        match stock::reserve(&mut conn, p, &needs, Context::default()) {
                            Ok(()) => won += 1,
                            Err(StockError::Insufficient { ingredient }) if ingredient == capers => refused += 1,
                            Err(e) => panic!("unexpected error: {e:?}"),
                        }
                    }
                    (won, refused)
                })
            })
            .collect();
        let results: Vec<(i64, i64)> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let won: i64 = results.iter().map(|r| r.0).sum();
        let refused: i64 = results.iter().map(|r| r.1).sum();
        assert_eq!(won, 500 / 7, "exactly as many reservations as stock allows");
        assert_eq!(won + refused, 240);
        assert_eq!(level(&app.pool, p, capers), Level { on_hand: 500, reserved: 7 * won });
        assert_eq!(level(&app.pool, p, olives), Level { on_hand: 10_000, reserved: 3 * won });
        assert_ledger_explains(&app.pool, p, capers);
        assert_ledger_explains(&app.pool, p, olives);
    }

    async fn a_reservation_is_all_or_nothing(db) {
        let app = TestApp::with_demo(db).await;
        let (p, capers) = demo_item(&app, "Câpres").await;
        let anchovies = app.with_conn(|c| fixtures::ingredient(c, "Filets d'anchois")).await;
        set_on_hand(&app.pool, p, anchovies, 5);
        let before = level(&app.pool, p, capers);
        let mut c = app.pool.get().unwrap();
        let refused = stock::reserve(&mut c, p, &[need(capers, 10), need(anchovies, 6)], Context::default());
        assert!(matches!(refused, Err(StockError::Insufficient { ingredient }) if ingredient == anchovies));
        assert_eq!(level(&app.pool, p, capers), before, "the capers reservation was rolled back");
        assert_eq!(level(&app.pool, p, anchovies).reserved, 0);
        assert_ledger_explains(&app.pool, p, capers);
    }

    async fn a_refused_reservation_names_the_short_ingredient_not_one_just_used_up(db) {
        let app = TestApp::with_demo(db).await;
        let (p, a) = demo_item(&app, "Câpres").await;
        let b = app.with_conn(|c| fixtures::ingredient(c, "Filets d'anchois")).await;
        // The first in id order has exactly what is asked, the second too little.
        let (exact, short) = if a < b { (a, b) } else { (b, a) };
        set_on_hand(&app.pool, p, exact, level(&app.pool, p, exact).reserved + 10);
        set_on_hand(&app.pool, p, short, level(&app.pool, p, short).reserved + 5);
        let mut c = app.pool.get().unwrap();
        let refused = stock::reserve(&mut c, p, &[need(exact, 10), need(short, 6)], Context::default());
        assert!(matches!(refused, Err(StockError::Insufficient { ingredient }) if ingredient == short), "{refused:?}");
    }

    async fn reserve_consume_release_keep_the_ledger_exact(db) {
        let app = TestApp::with_demo(db).await;
        let (p, tuna) = demo_item(&app, "Thon").await;
        set_on_hand(&app.pool, p, tuna, 1_000);
        let mut c = app.pool.get().unwrap();
        stock::reserve(&mut c, p, &[need(tuna, 300)], Context::default()).unwrap();
        stock::consume(&mut c, p, &[need(tuna, 200)], Context::default()).unwrap();
        stock::release(&mut c, p, &[need(tuna, 100)], Context::default()).unwrap();
        assert_eq!(level(&app.pool, p, tuna), Level { on_hand: 800, reserved: 0 });
        let refused = stock::release(&mut c, p, &[need(tuna, 1)], Context::default());
        assert!(matches!(refused, Err(StockError::NotReserved { .. })));
        let refused = stock::consume(&mut c, p, &[need(tuna, 1)], Context::default());
        assert!(matches!(refused, Err(StockError::NotReserved { .. })));
        assert_ledger_explains(&app.pool, p, tuna);
    }

    async fn deliveries_adjustments_and_counts_are_written_to_the_ledger(db) {
        let app = TestApp::with_demo(db).await;
        let (p, honey) = demo_item(&app, "Miel de lavande").await;
        set_on_hand(&app.pool, p, honey, 100);
        let mut c = app.pool.get().unwrap();
        let after = stock::receive(&mut c, p, need(honey, 900), Context { note: Some("BL 4521"), ..Context::default() }).unwrap();
        assert_eq!(after, Level { on_hand: 1_000, reserved: 0 });
        stock::reserve(&mut c, p, &[need(honey, 400)], Context::default()).unwrap();
        let after = stock::adjust(&mut c, p, honey, -50, MovementReason::Waste, Context::default()).unwrap();
        assert_eq!(after.on_hand, 950);
        let below = stock::adjust(&mut c, p, honey, -600, MovementReason::Adjustment, Context::default());
        assert!(matches!(below, Err(StockError::BelowReserved { .. })), "{below:?}");
        let bad = stock::adjust(&mut c, p, honey, 10, MovementReason::Waste, Context::default());
        assert!(matches!(bad, Err(StockError::InvalidQuantity)));
        assert!(matches!(stock::count(&mut c, p, honey, 399, Context::default()), Err(StockError::BelowReserved { .. })));
        let counted = stock::count(&mut c, p, honey, 700, Context::default()).unwrap();
        assert_eq!(counted, Level { on_hand: 700, reserved: 400 });
        assert_ledger_explains(&app.pool, p, honey);
    }

    async fn a_first_delivery_creates_the_stock_line(db) {
        use diesel::prelude::*;
        use ocpizza::db::schema::stock_levels;
        let app = TestApp::with_demo(db).await;
        let (p, eggs) = demo_item(&app, "Œuf").await;
        let mut c = app.pool.get().unwrap();
        diesel::delete(stock_levels::table.filter(stock_levels::pizzeria_id.eq(p.0)).filter(stock_levels::ingredient_id.eq(eggs.0)))
            .execute(&mut c)
            .unwrap();
        let after = stock::receive(&mut c, p, need(eggs, 30), Context::default()).unwrap();
        assert_eq!(after, Level { on_hand: 30, reserved: 0 });
    }

    async fn invalid_quantities_write_nothing(db) {
        let app = TestApp::with_demo(db).await;
        let (p, tuna) = demo_item(&app, "Thon").await;
        let before = level(&app.pool, p, tuna);
        let mut c = app.pool.get().unwrap();
        for qty in [0, -5, i64::MAX] {
            assert!(matches!(stock::reserve(&mut c, p, &[need(tuna, qty)], Context::default()), Err(StockError::InvalidQuantity)));
            assert!(matches!(stock::receive(&mut c, p, need(tuna, qty), Context::default()), Err(StockError::InvalidQuantity)));
        }
        assert_eq!(level(&app.pool, p, tuna), before);
        assert_ledger_explains(&app.pool, p, tuna);
    }

    async fn every_stock_operation_stays_exact_under_concurrency(db) {
        use diesel::prelude::*;
        use ocpizza::db::schema::ingredients;
        let app = TestApp::with_demo(db).await;
        let p = app.with_conn(|c| fixtures::pizzeria(c, "bastille")).await;
        // A new ingredient: no stock line yet, so the first deliveries race to create it.
        let truffle = app
            .with_conn(|c| {
                diesel::insert_into(ingredients::table)
                    .values((ingredients::name.eq("Truffe noire"), ingredients::unit.eq("g"), ingredients::created_at.eq(ocpizza::models::now())))
                    .execute(c)
                    .unwrap();
                IngredientId(ingredients::table.filter(ingredients::name.eq("Truffe noire")).select(ingredients::id).first(c).unwrap())
            })
            .await;
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let pool = app.pool.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    let (mut consumed, mut wasted) = (0, 0);
                    for i in 0..10 {
                        stock::receive(&mut conn, p, need(truffle, 10), Context::default()).unwrap();
                        stock::reserve(&mut conn, p, &[need(truffle, 3)], Context::default()).unwrap();
                        if (t + i) % 2 == 0 {
                            stock::consume(&mut conn, p, &[need(truffle, 3)], Context::default()).unwrap();
                            consumed += 3;
                        } else {
                            stock::release(&mut conn, p, &[need(truffle, 3)], Context::default()).unwrap();
                        }
                        if i % 5 == 0 {
                            stock::adjust(&mut conn, p, truffle, -1, MovementReason::Waste, Context::default()).unwrap();
                            wasted += 1;
                        }
                    }
                    (consumed, wasted)
                })
            })
            .collect();
        let (consumed, wasted) = threads
            .into_iter()
            .map(|t| t.join().unwrap())
            .fold((0, 0), |acc, r| (acc.0 + r.0, acc.1 + r.1));
        assert_eq!(level(&app.pool, p, truffle), Level { on_hand: 8 * 10 * 10 - consumed - wasted, reserved: 0 });
        assert_ledger_explains(&app.pool, p, truffle);
    }

    async fn deliveries_and_counts_during_orders_lose_no_update(db) {
        use ocpizza::services::stock::manager;
        let app = TestApp::with_demo(db).await;
        let (p, dough) = demo_item(&app, "Pâte à pizza").await;
        let mozza = app.with_conn(|c| fixtures::ingredient(c, "Mozzarella fior di latte")).await;
        set_on_hand(&app.pool, p, dough, 10_000);
        set_on_hand(&app.pool, p, mozza, 10_000);
        let pizza = [need(dough, 250), need(mozza, 120)];
        // Six kitchens placing and starting (or cancelling) orders...
        let mut threads: Vec<std::thread::JoinHandle<i64>> = (0..6)
            .map(|t| {
                let pool = app.pool.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    let mut made = 0;
                    for i in 0..15 {
                        match stock::reserve(&mut conn, p, &pizza, Context::default()) {
                            Ok(()) if (t + i) % 3 == 0 => stock::release(&mut conn, p, &pizza, Context::default()).unwrap(),
                            Ok(()) => {
                                stock::consume(&mut conn, p, &pizza, Context::default()).unwrap();
                                made += 1;
                            }
                            Err(StockError::Insufficient { .. }) => {}
                            Err(e) => panic!("{e}"),
                        }
                    }
                    made
                })
            })
            .collect();
        // ...while the manager records deliveries of both and counts them.
        let pool = app.pool.clone();
        threads.push(std::thread::spawn(move || {
            let mut conn = pool.get().unwrap();
            for i in 0..10 {
                manager::receive_many(&mut conn, p, &[need(dough, 500), need(mozza, 300)], Context::default()).unwrap();
                if i % 3 == 0 {
                    let counted = manager::count_many(&mut conn, p, &[(dough, 8_000), (mozza, 6_000)], Context::default()).unwrap();
                    assert!(counted.iter().all(|c| c.counted == if c.ingredient == dough { 8_000 } else { 6_000 }));
                }
            }
            0
        }));
        let made: i64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert!(made > 0, "orders went through meanwhile");
        for i in [dough, mozza] {
            assert_eq!(level(&app.pool, p, i).reserved, 0, "every reservation was consumed or released");
            assert_ledger_explains(&app.pool, p, i);
        }
        let deliveries = app.with_conn(move |c| {
            use diesel::prelude::*;
            use ocpizza::db::schema::stock_movements as m;
            m::table.filter(m::pizzeria_id.eq(p)).filter(m::ingredient_id.eq(dough))
                .filter(m::reason.eq(MovementReason::SupplierDelivery)).filter(m::delta_on_hand.eq(500))
                .count().get_result::<i64>(c).unwrap()
        }).await;
        assert_eq!(deliveries, 10, "no delivery lost");
    }
}
