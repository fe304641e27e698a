//! The manager's stock: the live stock page (levels, states, days of cover, what each product
//! can still make and what limits it), supplier deliveries in kg, adjustments and waste with
//! their reason, inventory counts with their variance, the ledger page by page with its
//! running balance, low-stock alerts once per crossing, and menu switches that reach every
//! open menu, in this process and in another.

use crate::customer::Customer;
use crate::each_backend;
use crate::fixtures;
use crate::floor::{staff, web_order};
use crate::harness::TestApp;
use crate::live::SseReader;
use crate::ordering::shop;
use diesel::prelude::*;
use ocpizza::db::schema::{email_outbox, stock_movements};
use ocpizza::domain::ids::{IngredientId, PizzeriaId};
use ocpizza::domain::stock::MovementReason;
use ocpizza::models::stock::{self as rows, Context, Level};
use ocpizza::services::stock;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

pub async fn ingredient(app: &TestApp, name: &'static str) -> IngredientId {
    app.with_conn(move |c| fixtures::ingredient(c, name)).await
}

pub async fn level(app: &TestApp, p: PizzeriaId, i: IngredientId) -> Level {
    app.with_conn(move |c| rows::level(c, p, i).unwrap().unwrap())
        .await
}

pub async fn set_level(app: &TestApp, p: PizzeriaId, i: IngredientId, qty: i64) {
    app.with_conn(move |c| stock::count(c, p, i, qty, Context::default()).unwrap())
        .await;
}

pub async fn ledger_rows(app: &TestApp) -> i64 {
    app.with_conn(|c| stock_movements::table.count().get_result(c).unwrap())
        .await
}

/// The last ledger row of an ingredient: (reason, on-hand delta, note, by whom).
async fn last_movement(
    app: &TestApp,
    p: PizzeriaId,
    i: IngredientId,
) -> (MovementReason, i64, Option<String>, Option<i64>) {
    app.with_conn(move |c| {
        stock_movements::table
            .filter(stock_movements::pizzeria_id.eq(p))
            .filter(stock_movements::ingredient_id.eq(i))
            .order(stock_movements::id.desc())
            .select((
                stock_movements::reason,
                stock_movements::delta_on_hand,
                stock_movements::note,
                stock_movements::user_id,
            ))
            .first::<(MovementReason, i64, Option<String>, Option<i64>)>(c)
            .unwrap()
    })
    .await
}

async fn manager_id(app: &TestApp) -> i64 {
    app.with_conn(|c| {
        ocpizza::models::staff::member_by_email(c, "manager.bastille@demo.ocpizza.fr")
            .unwrap()
            .unwrap()
            .0
             .0
    })
    .await
}

/// The row of the stock page about one ingredient or product (`ingredient-12`, `product-3`).
fn row<'a>(body: &'a str, id: &str) -> &'a str {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("{id} on the page"));
    let end = body[at..].find("</tr>").unwrap() + at;
    &body[at..end]
}

/// The low-stock e-mails queued to the Bastille's manager about one ingredient.
async fn alerts(app: &TestApp, ingredient: &'static str) -> Vec<String> {
    app.with_conn(move |c| {
        email_outbox::table
            .filter(email_outbox::template.eq("low_stock"))
            .filter(email_outbox::recipient.eq("manager.bastille@demo.ocpizza.fr"))
            .order(email_outbox::id.asc())
            .select(email_outbox::payload)
            .load::<String>(c)
            .unwrap()
            .into_iter()
            .filter(|p| p.contains(ingredient))
            .collect()
    })
    .await
}

/// Waits until `n` alerts about `ingredient` are queued (the check follows the tailer).
async fn await_alerts(app: &TestApp, ingredient: &'static str, n: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let found = alerts(app, ingredient).await;
        if found.len() >= n || tokio::time::Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

each_backend! {
    async fn the_stock_page_shows_levels_states_cover_and_what_limits_each_product(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let basil = ingredient(&shop.app, "Basilic frais").await;
        let per = shop.app.with_conn(move |c| {
            let margherita = fixtures::product(c, "Margherita");
            ocpizza::models::catalog::recipes(c, &[margherita]).unwrap()
                .into_iter().find(|(_, i, _)| *i == basil).unwrap().2
        }).await;
        // Enough basil for three Margheritas, under its threshold of 60 g.
        set_level(&shop.app, a, basil, per * 3).await;
        // A pizza made and started: the dough's consumption gives it days of cover.
        let (_, _, order) = web_order(&shop, 1).await;
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        cook.get(&format!("/staff/{a}/kitchen")).await;
        assert_eq!(cook.htmx_post(&format!("/staff/{a}/kitchen/{order}/start"), &[]).await.status, 200);
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        let page = manager.get(&format!("/staff/{a}/stock")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let basil_row = row(&page.body, &format!("ingredient-{basil}"));
        assert!(basil_row.contains("data-state=\"low\"") && basil_row.contains(">bas<"), "{basil_row}");
        assert!(basil_row.contains("Basilic frais"));
        // One portion used this week, two left: 14 days at this pace.
        assert!(basil_row.contains("<td>14,0 j</td>"), "{basil_row}");
        let alerts = &page.body[page.body.find("alerts-title").unwrap()..page.body.find("ingredients-title").unwrap()];
        assert!(alerts.contains("Basilic frais"), "{alerts}");
        // Margherita: 3 left (one more was reserved, then consumed), limited by the basil.
        let margherita = row(&page.body, &format!("product-{}", shop.margherita));
        assert!(margherita.contains("<td class=\"makeable\">2</td>"), "{margherita}");
        assert!(margherita.contains("Basilic frais"), "{margherita}");
        let dough = ingredient(&shop.app, "Pâte à pizza").await;
        let dough_row = row(&page.body, &format!("ingredient-{dough}"));
        // 250 g used this week, 27 kg left: far more than the page counts in days.
        assert!(dough_row.contains("<td>99 j et plus</td>"), "days of cover once consumed: {dough_row}");
        let olives = ingredient(&shop.app, "Olives noires").await;
        assert!(row(&page.body, &format!("ingredient-{olives}")).contains("<td>—</td>"), "no consumption, no cover");
        // A suggested supplier order for the chosen horizon, the basil in it.
        let order_page = manager.get(&format!("/staff/{a}/stock?days=14")).await;
        let suggested = &order_page.body[order_page.body.find("order-title").unwrap()..];
        assert!(suggested.contains("14 jours") && suggested.contains("Basilic frais"), "{suggested}");
        let bad = manager.get(&format!("/staff/{a}/stock?days=500")).await;
        assert_eq!(bad.status, 200);
        assert!(bad.body.contains("Choisissez entre 1 et 60 jours."));
    }

    async fn a_supplier_delivery_of_several_lines_in_kg_and_l_is_recorded_with_the_manager(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let (dough, oil) = (ingredient(&shop.app, "Pâte à pizza").await, ingredient(&shop.app, "Huile d'olive extra vierge").await);
        let (dough_before, oil_before) = (level(&shop.app, a, dough).await, level(&shop.app, a, oil).await);
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        let form = manager.get(&format!("/staff/{a}/stock/delivery")).await;
        assert!(form.body.contains(&format!("name=\"qty[{dough}]\"")), "one line per ingredient");
        let (q1, u1, q2, u2) = (format!("qty[{dough}]"), format!("unit[{dough}]"), format!("qty[{oil}]"), format!("unit[{oil}]"));
        let saved = manager.post(&format!("/staff/{a}/stock/delivery"), &[
            (&q1, "2,5"), (&u1, "kg"), (&q2, "1,5"), (&u2, "l"), ("note", "BL 4471 Metro"),
        ]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(saved.location.as_deref(), Some(format!("/staff/{a}/stock?done=delivery").as_str()));
        assert_eq!(level(&shop.app, a, dough).await.on_hand, dough_before.on_hand + 2_500);
        assert_eq!(level(&shop.app, a, oil).await.on_hand, oil_before.on_hand + 1_500);
        let me = manager_id(&shop.app).await;
        for (i, qty) in [(dough, 2_500), (oil, 1_500)] {
            assert_eq!(last_movement(&shop.app, a, i).await,
                (MovementReason::SupplierDelivery, qty, Some("BL 4471 Metro".into()), Some(me)));
        }
        let page = manager.get(&format!("/staff/{a}/stock?done=delivery")).await;
        assert!(page.body.contains("Livraison fournisseur enregistrée."));
    }

    async fn adjustments_and_waste_are_recorded_with_their_reason(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let mozza = ingredient(&shop.app, "Mozzarella fior di latte").await;
        let before = level(&shop.app, a, mozza).await.on_hand;
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        manager.get(&format!("/staff/{a}/stock/adjust?ingredient={mozza}")).await;
        let m = mozza.to_string();
        let waste = manager.post(&format!("/staff/{a}/stock/adjust"), &[
            ("ingredient", &m), ("kind", "waste"), ("qty", "0,2"), ("unit", "kg"), ("reason", "Sachet ouvert tombé"),
        ]).await;
        assert_eq!(waste.status, 303, "{}", waste.body);
        assert_eq!(waste.location.as_deref(), Some(format!("/staff/{a}/stock?done=waste").as_str()));
        assert_eq!(level(&shop.app, a, mozza).await.on_hand, before - 200);
        let me = Some(manager_id(&shop.app).await);
        assert_eq!(last_movement(&shop.app, a, mozza).await, (MovementReason::Waste, -200, Some("Sachet ouvert tombé".into()), me));
        manager.get(&format!("/staff/{a}/stock/adjust")).await;
        let fix = manager.post(&format!("/staff/{a}/stock/adjust"), &[
            ("ingredient", &m), ("kind", "adjustment"), ("qty", "-50"), ("unit", "g"), ("reason", "Erreur de saisie d'hier"),
        ]).await;
        assert_eq!(fix.status, 303, "{}", fix.body);
        assert_eq!(last_movement(&shop.app, a, mozza).await, (MovementReason::Adjustment, -50, Some("Erreur de saisie d'hier".into()), me));
        assert_eq!(level(&shop.app, a, mozza).await.on_hand, before - 250);
    }

    async fn an_inventory_count_shows_its_variance_then_applies_it(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let (capers, eggs) = (ingredient(&shop.app, "Câpres").await, ingredient(&shop.app, "Œuf").await);
        set_level(&shop.app, a, capers, 500).await;
        set_level(&shop.app, a, eggs, 60).await;
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        manager.get(&format!("/staff/{a}/stock/count")).await;
        let (c1, c2) = (format!("counted[{capers}]"), format!("counted[{eggs}]"));
        let fields = [(c1.as_str(), "450"), (c2.as_str(), "60")];
        let rows_before = ledger_rows(&shop.app).await;
        let mut preview_fields = fields.to_vec();
        preview_fields.push(("action", "preview"));
        let preview = manager.post(&format!("/staff/{a}/stock/count"), &preview_fields).await;
        assert_eq!(preview.status, 200, "{}", preview.body);
        assert!(preview.body.contains("Écarts avec le stock attendu"), "{}", preview.body);
        assert!(preview.body.contains("-50 g") && preview.body.contains("-10,0 %"), "{}", preview.body);
        assert!(preview.body.contains("value=\"450\""), "the counts stay in the form");
        assert_eq!(ledger_rows(&shop.app).await, rows_before, "a preview writes nothing");
        assert_eq!(level(&shop.app, a, capers).await.on_hand, 500);
        let mut apply_fields = fields.to_vec();
        apply_fields.push(("action", "apply"));
        let applied = manager.post(&format!("/staff/{a}/stock/count"), &apply_fields).await;
        assert_eq!(applied.status, 303, "{}", applied.body);
        assert_eq!(level(&shop.app, a, capers).await.on_hand, 450);
        let me = Some(manager_id(&shop.app).await);
        assert_eq!(last_movement(&shop.app, a, capers).await, (MovementReason::InventoryCount, -50, None, me));
        assert_eq!(last_movement(&shop.app, a, eggs).await, (MovementReason::InventoryCount, 0, None, me), "a count without variance is history too");
        assert_eq!(ledger_rows(&shop.app).await, rows_before + 2);
    }

    async fn the_ledger_explains_every_figure_page_by_page(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let capers = ingredient(&shop.app, "Câpres").await;
        set_level(&shop.app, a, capers, 100).await;
        shop.app.with_conn(move |c| {
            for n in 1..=55 {
                stock::receive(c, a, stock::Need { ingredient: capers, qty: n }, Context::default()).unwrap();
            }
        }).await;
        let now = level(&shop.app, a, capers).await;
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        let first = manager.get(&format!("/staff/{a}/stock/ingredients/{capers}")).await;
        assert_eq!(first.status, 200, "{}", first.body);
        let balances: Vec<&str> = first.body.match_indices("<td class=\"balance\">").map(|(i, _)| {
            let rest = &first.body[i + 20..];
            &rest[..rest.find("</td>").unwrap()]
        }).collect();
        assert_eq!(balances.len(), 50, "a page holds 50 rows");
        let shown = |g: i64| ocpizza::domain::stock::Unit::Gram.show(g);
        assert_eq!(balances[0], shown(now.on_hand), "the newest row ends at the level");
        assert_eq!(balances[1], shown(now.on_hand - 55), "each row's balance is the one after it");
        assert!(first.body.contains("Livraison fournisseur"));
        assert!(first.body.contains("rel=\"next\""), "older rows are a link away");
        let before: String = {
            let at = first.body.find("?before=").unwrap() + 8;
            first.body[at..].chars().take_while(|c| c.is_ascii_digit()).collect()
        };
        let second = manager.get(&format!("/staff/{a}/stock/ingredients/{capers}?before={before}")).await;
        assert!(second.body.contains("Plus récents"));
        assert!(!second.body.contains("rel=\"next\""), "the second page is the last");
        assert!(second.body.contains("Inventaire"), "the oldest rows: the count that set 100 g");
        let unknown = manager.get(&format!("/staff/{a}/stock/ingredients/999999")).await;
        assert_eq!(unknown.status, 404);
        assert!(unknown.body.replace("&#x27;", "'").contains("Cet ingrédient n'existe pas."));
    }

    async fn a_low_stock_crossing_alerts_the_managers_once(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let capers = ingredient(&shop.app, "Câpres").await;
        set_level(&shop.app, a, capers, 500).await;
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        manager.get(&format!("/staff/{a}/stock/ingredients/{capers}")).await;
        let saved = manager.post(&format!("/staff/{a}/stock/ingredients/{capers}/threshold"), &[("threshold", "200")]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let waste = |qty: i64| {
            let app = &shop.app;
            async move {
                app.with_conn(move |c| stock::adjust(c, a, capers, -qty, MovementReason::Waste, Context::default()).unwrap()).await
            }
        };
        waste(250).await; // 250 g: above 200
        waste(100).await; // 150 g: crossed
        let first = await_alerts(&shop.app, "Câpres", 1).await;
        assert_eq!(first.len(), 1, "{first:?}");
        assert!(first[0].contains("150 g") && first[0].contains("Bastille"), "{}", first[0]);
        waste(50).await; // still low: no second alert
        waste(50).await;
        // Back above, then below again: a new crossing.
        shop.app.with_conn(move |c| stock::receive(c, a, stock::Need { ingredient: capers, qty: 500 }, Context::default()).unwrap()).await;
        let page = manager.get(&format!("/staff/{a}/stock")).await;
        assert!(row(&page.body, &format!("ingredient-{capers}")).contains("data-state=\"ok\""));
        waste(450).await;
        let both = await_alerts(&shop.app, "Câpres", 2).await;
        assert_eq!(both.len(), 2, "one alert per crossing: {both:?}");
        // Only the pizzeria's own manager is told.
        let path = format!("/staff/{a}/stock/ingredients/{capers}");
        let theirs = shop.app.with_conn(|c| email_outbox::table
            .filter(email_outbox::template.eq("low_stock"))
            .filter(email_outbox::recipient.ne("manager.bastille@demo.ocpizza.fr"))
            .select(email_outbox::payload)
            .load::<String>(c).unwrap()).await;
        assert!(theirs.iter().all(|p| !p.contains(&path)), "{theirs:?}");
    }

    async fn the_stock_page_follows_orders_without_reload(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let dough = ingredient(&shop.app, "Pâte à pizza").await;
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        manager.get(&format!("/staff/{a}/stock")).await;
        let mut live = SseReader::open_with(&manager.http, &shop.app.url(&format!("/staff/{a}/stock/events"))).await;
        let first = live.wait_for("board", WAIT).await.expect("the board at once");
        let reserved_before = level(&shop.app, a, dough).await.reserved;
        assert!(row(&first.data, &format!("ingredient-{dough}")).contains(&ocpizza::domain::stock::Unit::Gram.show(reserved_before)));
        web_order(&shop, 2).await;
        let reserved = level(&shop.app, a, dough).await.reserved;
        assert!(reserved > reserved_before);
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let board = live.wait_for("board", left).await.expect("the board again after the order");
            let r = row(&board.data, &format!("ingredient-{dough}")).to_string();
            if r.contains(&format!("<td>{}</td>", ocpizza::domain::stock::Unit::Gram.show(reserved))) {
                break;
            }
        }
    }

    async fn a_menu_switch_reaches_every_open_menu_in_every_process(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let other = shop.app.another_instance().await;
        let event = format!("product-{}", shop.margherita);
        let mut here = SseReader::open(&shop.app, &format!("/pizzerias/{a}/events")).await;
        let mut there = SseReader::open(&other, &format!("/pizzerias/{a}/events")).await;
        // Each stream starts with every product as it is now.
        assert!(here.wait_for(&event, WAIT).await.unwrap().data.contains("data-orderable=\"true\""));
        assert!(there.wait_for(&event, WAIT).await.unwrap().data.contains("data-orderable=\"true\""));
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        manager.get(&format!("/staff/{a}/stock")).await;
        let off = manager.post(&format!("/staff/{a}/menu/{}", shop.margherita), &[("enabled", "false")]).await;
        assert_eq!(off.status, 303, "{}", off.body);
        for (name, stream) in [("this process", &mut here), ("another process", &mut there)] {
            let e = stream.wait_for(&event, WAIT).await.unwrap_or_else(|| panic!("{name} hears of the switch"));
            assert!(e.data.contains("data-orderable=\"false\""), "{name}: {}", e.data);
        }
        let mut customer = Customer::new(&shop.app).await;
        customer.get(&format!("/pizzerias/{a}")).await;
        let refused = customer.add(a.0, shop.margherita.0, 1).await;
        assert!(refused.status >= 400 && refused.status < 500, "{}", refused.status);
        let page = manager.get(&format!("/staff/{a}/stock")).await;
        assert!(row(&page.body, &format!("product-{}", shop.margherita)).contains("Remettre à la carte"));
        manager.post(&format!("/staff/{a}/menu/{}", shop.margherita), &[("enabled", "true")]).await;
        for (name, stream) in [("this process", &mut here), ("another process", &mut there)] {
            let e = stream.wait_for(&event, WAIT).await.unwrap_or_else(|| panic!("{name} hears it is back"));
            assert!(e.data.contains("data-orderable=\"true\""), "{name}: {}", e.data);
        }
        assert_eq!(customer.add(a.0, shop.margherita.0, 1).await.status, 200);
        let history = shop.app.with_conn(|c| ocpizza::db::schema::menu_changes::table.count().get_result::<i64>(c).unwrap()).await;
        assert_eq!(history, 2, "each switch is in the history");
    }
}
