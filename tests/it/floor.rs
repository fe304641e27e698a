//! The pizzeria floor: the kitchen starts, finishes and takes back its steps; drivers take
//! orders out, bring them and the money back, or bring them back with a reason; the counter
//! enters phone orders in the customer's pipeline, hands pickups over and cancels with a reason.
//! Every step is an order event with the staff member as actor, and the ledger follows.

use crate::customer::Customer;
use crate::each_backend;
use crate::harness::TestApp;
use crate::live::SseReader;
use crate::ordering::{order_by_token, shop, Shop};
use diesel::prelude::*;
use ocpizza::db::schema::{order_events, orders, payments, stock_movements};
use ocpizza::domain::ids::{OrderId, UserId};
use ocpizza::domain::order::{Actor, OrderStatus, PaymentStatus};
use std::time::Duration;

/// A browser signed in as a demo staff member: `role.slug@demo.ocpizza.fr`.
pub async fn staff(app: &TestApp, role: &str, slug: &str) -> Customer {
    let mut c = Customer::new(app).await;
    c.get("/login").await;
    let email = if role == "admin" {
        "admin@demo.ocpizza.fr".to_string()
    } else {
        format!("{role}.{slug}@demo.ocpizza.fr")
    };
    let password = ocpizza::services::demo::demo_password(role);
    let signed = c
        .post(
            "/login",
            &[
                ("email", &email),
                ("password", &password),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{email} signs in: {}", signed.body);
    // Signing in gives the browser a new CSRF token: read it from a page.
    c.get("/").await;
    c
}

/// A customer's delivery order at the Bastille: its tracking token and id.
pub async fn web_order(shop: &Shop, qty: u32) -> (Customer, String, OrderId) {
    let mut c = Customer::new(&shop.app).await;
    c.get(&format!("/pizzerias/{}", shop.bastille)).await;
    c.add(shop.bastille.0, shop.margherita.0, qty).await;
    let placed = c.checkout().await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let token = Customer::token_of(&placed);
    let id = order_by_token(&shop.app, &token).await.id;
    (c, token, id)
}

pub async fn status_of(app: &TestApp, id: OrderId) -> OrderStatus {
    app.with_conn(move |c| {
        orders::table
            .find(id)
            .select(orders::status)
            .first::<OrderStatus>(c)
            .unwrap()
    })
    .await
}

/// The order's events: (from, to, actor, actor's account, reason).
type Step = (
    Option<OrderStatus>,
    OrderStatus,
    Actor,
    Option<UserId>,
    Option<String>,
);

async fn steps_of(app: &TestApp, id: OrderId) -> Vec<Step> {
    app.with_conn(move |c| {
        order_events::table
            .filter(order_events::order_id.eq(id))
            .order(order_events::id.asc())
            .select((
                order_events::from_status,
                order_events::to_status,
                order_events::actor_kind,
                order_events::actor_user_id,
                order_events::reason,
            ))
            .load(c)
            .unwrap()
    })
    .await
}

/// The ledger rows of an order: (reason, delta on hand, delta reserved), summed per reason.
async fn ledger_of(app: &TestApp, id: OrderId) -> Vec<(String, i64, i64)> {
    let rows: Vec<(String, i64, i64)> = app
        .with_conn(move |c| {
            stock_movements::table
                .filter(stock_movements::order_id.eq(id))
                .order(stock_movements::id.asc())
                .select((
                    stock_movements::reason,
                    stock_movements::delta_on_hand,
                    stock_movements::delta_reserved,
                ))
                .load(c)
                .unwrap()
        })
        .await;
    let mut sums: Vec<(String, i64, i64)> = Vec::new();
    for (reason, h, r) in rows {
        match sums.iter_mut().find(|(x, ..)| *x == reason) {
            Some(s) => {
                s.1 += h;
                s.2 += r;
            }
            None => sums.push((reason, h, r)),
        }
    }
    sums
}

async fn user_id(app: &TestApp, email: &str) -> UserId {
    let email = email.to_string();
    app.with_conn(move |c| {
        use ocpizza::db::schema::users;
        users::table
            .filter(users::email.eq(email))
            .select(users::id)
            .first(c)
            .unwrap()
    })
    .await
}

fn kitchen(shop: &Shop, id: OrderId, action: &str) -> String {
    format!("/staff/{}/kitchen/{id}/{action}", shop.bastille)
}

each_backend! {
    async fn the_kitchen_starts_and_finishes_an_order_and_can_take_a_tap_back(db) {
        let shop = shop(db).await;
        let (mut customer, token, id) = web_order(&shop, 2).await;
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        let cook_id = user_id(&shop.app, "pizzaiolo.bastille@demo.ocpizza.fr").await;
        let page = cook.get(&format!("/staff/{}/kitchen", shop.bastille)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("#001") && page.body.contains("Margherita") && page.body.contains("Commencer"), "{}", page.body);
        assert!(page.body.contains("<strong>Margherita</strong> ×2"), "the all-day count: {}", page.body);
        assert!(page.body.contains("Site web") && page.body.contains("Livraison") && page.body.contains("Dès que possible"));

        let started = cook.htmx_post(&kitchen(&shop, id, "start"), &[]).await;
        assert_eq!(started.status, 200, "{}", started.body);
        assert!(started.body.contains(">Prête</button>") && started.body.contains("Annuler la dernière action"), "{}", started.body);
        assert_eq!(status_of(&shop.app, id).await, OrderStatus::InPreparation);
        let last = steps_of(&shop.app, id).await.pop().unwrap();
        assert_eq!(last, (Some(OrderStatus::Received), OrderStatus::InPreparation, Actor::Staff, Some(cook_id), None));
        let ledger = ledger_of(&shop.app, id).await;
        let consumed = ledger.iter().find(|(r, ..)| r == "consume").expect("consumed");
        assert!(consumed.1 < 0 && consumed.1 == consumed.2, "consumption takes what was reserved: {ledger:?}");

        // The customer can no longer cancel.
        let tracking = customer.get(&format!("/orders/{token}")).await;
        assert!(!tracking.body.contains("Annuler la commande"), "{}", tracking.body);
        assert!(tracking.body.contains("aria-current=\"step\""), "{}", tracking.body);

        // A double tap is refused with who did it, and changes nothing.
        let again = cook.htmx_post(&kitchen(&shop, id, "start"), &[]).await;
        assert_eq!(again.status, 409, "{}", again.body);
        assert!(again.body.contains("a déjà été commencée par Pizzaiolo Bastille"), "{}", again.body);
        assert_eq!(steps_of(&shop.app, id).await.len(), 2);

        // Taken back: the order is RECEIVED again and the ledger gives the reservation back.
        let undone = cook.htmx_post(&kitchen(&shop, id, "undo"), &[]).await;
        assert_eq!(undone.status, 200, "{}", undone.body);
        assert_eq!(status_of(&shop.app, id).await, OrderStatus::Received);
        let last = steps_of(&shop.app, id).await.pop().unwrap();
        assert_eq!((last.0, last.1, last.2), (Some(OrderStatus::InPreparation), OrderStatus::Received, Actor::Staff));
        let ledger = ledger_of(&shop.app, id).await;
        let consumed = ledger.iter().find(|(r, ..)| r == "consume").unwrap();
        assert_eq!((consumed.1, consumed.2), (0, 0), "the undo restores what was consumed: {ledger:?}");
        let reserved: i64 = ledger.iter().map(|(_, _, r)| r).sum();
        assert!(reserved > 0, "the order holds its reservation again: {ledger:?}");
        let nothing = cook.htmx_post(&kitchen(&shop, id, "undo"), &[]).await;
        assert_eq!(nothing.status, 422, "{}", nothing.body);
        assert!(nothing.body.contains("plus rien à annuler"), "{}", nothing.body);

        // Started again, ready, and "Prête" taken back too.
        assert_eq!(cook.htmx_post(&kitchen(&shop, id, "start"), &[]).await.status, 200);
        assert_eq!(cook.htmx_post(&kitchen(&shop, id, "ready"), &[]).await.status, 200);
        assert_eq!(status_of(&shop.app, id).await, OrderStatus::Ready);
        assert_eq!(cook.htmx_post(&kitchen(&shop, id, "undo"), &[]).await.status, 200);
        assert_eq!(status_of(&shop.app, id).await, OrderStatus::InPreparation);
        assert_eq!(cook.htmx_post(&kitchen(&shop, id, "ready"), &[]).await.status, 200);
        let ready_twice = cook.htmx_post(&kitchen(&shop, id, "ready"), &[]).await;
        assert_eq!(ready_twice.status, 409);
        assert!(ready_twice.body.contains("a déjà été marquée prête par Pizzaiolo Bastille"), "{}", ready_twice.body);
        // A plain form (no htmx) goes back to the screen.
        let (_, _, other) = web_order(&shop, 1).await;
        let plain = cook.post(&kitchen(&shop, other, "start"), &[]).await;
        assert_eq!((plain.status, plain.location.as_deref()), (303, Some(format!("/staff/{}/kitchen", shop.bastille).as_str())));
    }

    async fn two_cooks_pressing_start_at_once_one_wins_the_other_is_told_who(db) {
        let shop = shop(db).await;
        let (_, _, id) = web_order(&shop, 1).await;
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        let path = kitchen(&shop, id, "start");
        let (a, b) = tokio::join!(cook.htmx_post(&path, &[]), manager.htmx_post(&path, &[]));
        let mut codes = [a.status, b.status];
        codes.sort();
        assert_eq!(codes, [200, 409], "{} / {}", a.body, b.body);
        let loser = if a.status == 409 { &a } else { &b };
        let winner = if a.status == 409 { "Gérant Bastille" } else { "Pizzaiolo Bastille" };
        assert!(loser.body.contains(&format!("a déjà été commencée par {winner}")), "{}", loser.body);
        let starts = steps_of(&shop.app, id).await.iter().filter(|s| s.1 == OrderStatus::InPreparation).count();
        assert_eq!(starts, 1, "one start in the log");
    }

    async fn a_driver_takes_orders_out_collects_the_money_and_sums_up_the_shift(db) {
        let shop = shop(db).await;
        let (_, token, first) = web_order(&shop, 2).await;
        let (_, _, second) = web_order(&shop, 1).await;
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        for id in [first, second] {
            assert_eq!(cook.htmx_post(&kitchen(&shop, id, "start"), &[]).await.status, 200);
            assert_eq!(cook.htmx_post(&kitchen(&shop, id, "ready"), &[]).await.status, 200);
        }
        let mut driver = staff(&shop.app, "driver", "bastille").await;
        let board = driver.get(&format!("/staff/{}/delivery", shop.bastille)).await;
        assert_eq!(board.status, 200, "{}", board.body);
        assert!(board.body.contains("12 rue Oberkampf, 75011 Paris") && board.body.contains("tel:+33612345678"), "{}", board.body);
        assert!(board.body.contains("?api=1&amp;query=12+rue+Oberkampf%2C+75011+Paris") && board.body.contains("Code 4521B"), "{}", board.body);
        let total = order_by_token(&shop.app, &token).await.total;
        assert!(board.body.contains(&format!("À encaisser : <strong>{total}</strong>")), "{}", board.body);

        let (f, s) = (format!("take[{first}]"), format!("take[{second}]"));
        let taken = driver.htmx_post(&format!("/staff/{}/delivery/take", shop.bastille), &[(&f, "1"), (&s, "1")]).await;
        assert_eq!(taken.status, 200, "{}", taken.body);
        assert!(taken.body.contains("Ma tournée (2)"), "{}", taken.body);
        assert_eq!(status_of(&shop.app, first).await, OrderStatus::OutForDelivery);
        let driver_id = user_id(&shop.app, "driver.bastille@demo.ocpizza.fr").await;
        let on_it = shop.app.with_conn(move |c| orders::table.find(first).select(orders::driver_id).first::<Option<UserId>>(c).unwrap()).await;
        assert_eq!(on_it, Some(driver_id));

        let delivered = format!("/staff/{}/delivery/{first}/delivered", shop.bastille);
        // The amount must be what the order owes.
        let wrong = driver.htmx_post(&delivered, &[("hand", "cash"), ("amount", "1,00")]).await;
        assert_eq!(wrong.status, 422, "{}", wrong.body);
        assert!(wrong.body.contains("ne correspond pas au montant dû"), "{}", wrong.body);
        assert_eq!(status_of(&shop.app, first).await, OrderStatus::OutForDelivery);
        let due = format!("{},{:02}", total.cents() / 100, total.cents() % 100);
        let ok = driver.htmx_post(&delivered, &[("hand", "cash"), ("amount", &due)]).await;
        assert_eq!(ok.status, 200, "{}", ok.body);
        assert_eq!(status_of(&shop.app, first).await, OrderStatus::Delivered);
        let paid = order_by_token(&shop.app, &token).await.payment_status;
        assert_eq!(paid, PaymentStatus::Paid);
        let collected: Vec<(String, i64, Option<UserId>)> = shop.app.with_conn(move |c| payments::table.filter(payments::order_id.eq(first)).select((payments::provider, payments::amount_cents, payments::recorded_by)).load(c).unwrap()).await;
        assert_eq!(collected, vec![("cash".to_string(), total.cents(), Some(driver_id))]);

        // The second one fails: back to the pizzeria for the manager, with its reason.
        let failed = format!("/staff/{}/delivery/{second}/failed", shop.bastille);
        let f = driver.htmx_post(&failed, &[("reason", "Client absent")]).await;
        assert_eq!(f.status, 200, "{}", f.body);
        assert_eq!(status_of(&shop.app, second).await, OrderStatus::Ready);
        assert!(f.body.contains("Échecs à décider (1)") && f.body.contains("Client absent"), "{}", f.body);
        let s2 = format!("take[{second}]");
        let again = driver.htmx_post(&format!("/staff/{}/delivery/take", shop.bastille), &[(&s2, "1")]).await;
        assert_eq!(again.status, 422, "waits for the manager: {}", again.body);
        let refused = driver.htmx_post(&format!("/staff/{}/delivery/{second}/resend", shop.bastille), &[]).await;
        assert_eq!(refused.status, 403, "{}", refused.body);
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        let resent = manager.htmx_post(&format!("/staff/{}/delivery/{second}/resend", shop.bastille), &[]).await;
        assert_eq!(resent.status, 200, "{}", resent.body);
        assert_eq!(driver.htmx_post(&format!("/staff/{}/delivery/take", shop.bastille), &[(&s2, "1")]).await.status, 200);

        let summary = driver.get(&format!("/staff/{}/delivery/summary", shop.bastille)).await;
        assert_eq!(summary.status, 200, "{}", summary.body);
        assert!(summary.body.contains(&format!("<dt>Espèces encaissées</dt><dd>{total}</dd>")), "{}", summary.body);
        assert!(summary.body.contains("<dt>Livraisons</dt><dd>1</dd>"), "{}", summary.body);
    }

    async fn the_counter_enters_a_phone_order_in_the_same_pipeline_and_hands_pickups_over(db) {
        let shop = shop(db).await;
        // A customer's earlier order gives the counter the name and the address.
        let (_, _, earlier) = web_order(&shop, 1).await;
        let mut clerk = staff(&shop.app, "counter", "bastille").await;
        let page = clerk.get(&format!("/staff/{}/counter", shop.bastille)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let known = clerk.get(&format!("/staff/{}/counter/customer?phone=0612345678", shop.bastille)).await;
        assert!(known.body.contains("Léa Martin") && known.body.contains("12 rue Oberkampf"), "{}", known.body);
        let key = crate::customer::field_in(&page.body, "key").expect("the form's key");
        let qty = format!("qty[{}]", shop.margherita);
        let fields = [
            ("key", key.as_str()), ("channel", "phone"), ("fulfilment", "pickup"), ("when", "asap"),
            ("payment", "at_pickup"), ("paid_now", ""), ("name", "Paul Durand"), ("phone", "06 98 76 54 32"),
            ("email", ""), ("street", ""), ("postal_code", ""), ("city", ""), ("instructions", ""), (qty.as_str(), "2"),
        ];
        let placed = clerk.post(&format!("/staff/{}/counter/orders", shop.bastille), &fields).await;
        assert_eq!(placed.status, 303, "{}", placed.body);
        let again = clerk.post(&format!("/staff/{}/counter/orders", shop.bastille), &fields).await;
        assert_eq!(again.location, placed.location, "the same form twice is one order");
        let shown = clerk.get(placed.location.as_deref().unwrap()).await;
        assert!(shown.body.contains("Commande #002 enregistrée pour Paul Durand"), "{}", shown.body);
        let id = shop.app.with_conn(move |c| orders::table.filter(orders::id.ne(earlier)).select(orders::id).first::<OrderId>(c).unwrap()).await;
        let row = shop.app.with_conn(move |c| ocpizza::models::order::by_id(c, id).unwrap().unwrap()).await;
        assert_eq!((row.channel.as_str(), row.number, row.status), ("phone", Some(2), OrderStatus::Received));
        assert!(row.promised_at.is_some(), "promised from the queue");
        let ledger = ledger_of(&shop.app, id).await;
        assert!(ledger.iter().any(|(r, _, q)| r == "reserve" && *q > 0), "reserved like a web order: {ledger:?}");
        let first_step = steps_of(&shop.app, id).await.remove(0);
        assert_eq!(first_step.2, Actor::Staff);
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        let board = cook.get(&format!("/staff/{}/kitchen", shop.bastille)).await;
        assert!(board.body.contains("#002") && board.body.contains("Téléphone"), "{}", board.body);

        // Baked, then handed over at the counter, found by the customer's name.
        cook.htmx_post(&kitchen(&shop, id, "start"), &[]).await;
        cook.htmx_post(&kitchen(&shop, id, "ready"), &[]).await;
        let found = clerk.get(&format!("/staff/{}/counter/pickups?q=durand", shop.bastille)).await;
        assert!(found.body.contains("#002") && found.body.contains("Remise au client"), "{}", found.body);
        let by_number = clerk.get(&format!("/staff/{}/counter/pickups?q=%23002", shop.bastille)).await;
        assert!(by_number.body.contains("Paul Durand"), "{}", by_number.body);
        let handover = format!("/staff/{}/counter/{id}/handover", shop.bastille);
        let due = format!("{},{:02}", row.total.cents() / 100, row.total.cents() % 100);
        let unpaid = clerk.htmx_post(&handover, &[("hand", ""), ("amount", "")]).await;
        assert_eq!(unpaid.status, 422, "{}", unpaid.body);
        let done = clerk.htmx_post(&handover, &[("hand", "card"), ("amount", &due)]).await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert_eq!(status_of(&shop.app, id).await, OrderStatus::PickedUp);
    }

    async fn staff_cancel_with_a_reason_and_a_started_order_is_written_off(db) {
        let shop = shop(db).await;
        let (mut customer, token, id) = web_order(&shop, 2).await;
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        cook.htmx_post(&kitchen(&shop, id, "start"), &[]).await;
        let mut clerk = staff(&shop.app, "counter", "bastille").await;
        let cancel = format!("/staff/{}/counter/{id}/cancel", shop.bastille);
        let question = clerk.get(&cancel).await;
        assert!(question.body.contains("ses ingrédients seront comptés en perte"), "{}", question.body);
        let silent = clerk.htmx_post(&cancel, &[("reason", " ")]).await;
        assert_eq!(silent.status, 422, "{}", silent.body);
        assert_eq!(status_of(&shop.app, id).await, OrderStatus::InPreparation);
        let done = clerk.htmx_post(&cancel, &[("reason", "Four en panne")]).await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert_eq!(status_of(&shop.app, id).await, OrderStatus::Cancelled);
        let last = steps_of(&shop.app, id).await.pop().unwrap();
        assert_eq!((last.2, last.4.as_deref()), (Actor::Staff, Some("Four en panne")));
        let ledger = ledger_of(&shop.app, id).await;
        let waste = ledger.iter().find(|(r, ..)| r == "waste").expect("written off");
        let consumed = ledger.iter().find(|(r, ..)| r == "consume").unwrap();
        assert!(waste.1 < 0 && consumed.1 == 0, "consumption becomes waste, levels unchanged: {ledger:?}");
        let tracking = customer.get(&format!("/orders/{token}")).await;
        assert!(tracking.body.contains("Four en panne"), "{}", tracking.body);
        // The kitchen strikes it through for a moment.
        let board = cook.get(&format!("/staff/{}/kitchen", shop.bastille)).await;
        assert!(board.body.contains("ticket--cancelled") && board.body.contains("ANNULÉE"), "{}", board.body);
    }

    async fn the_kitchen_screen_follows_new_orders_without_reload_also_from_another_process(db) {
        let shop = shop(db).await;
        let cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        let url = format!("{}/staff/{}/kitchen/events", shop.app.base, shop.bastille);
        let mut screen = SseReader::open_with(&cook.http, &url).await;
        let first = screen.next(Duration::from_secs(5)).await.expect("the board at once");
        assert_eq!(first.name, "board");
        assert!(!first.data.contains("#001"));
        let (mut customer, token, _) = web_order(&shop, 1).await;
        let next = screen.wait_for("board", Duration::from_secs(10)).await.expect("the new ticket");
        assert!(next.data.contains("#001"), "{}", next.data);
        // The customer changes it: the ticket says what changed.
        customer.get(&format!("/orders/{token}/edit")).await;
        let (m, r) = (format!("qty[{}]", shop.margherita), format!("qty[{}]", shop.regina));
        let done = customer.post(&format!("/orders/{token}/edit"), &[(&m, "2"), (&r, "1")]).await;
        assert_eq!(done.status, 303, "{}", done.body);
        let modified = screen.wait_for("board", Duration::from_secs(10)).await.expect("the modified ticket");
        assert!(modified.data.contains("MODIFIÉE") && modified.data.contains("Margherita 1 → 2, + Regina ×1"), "{}", modified.data);
        // Another process of the app starts it: the screen follows.
        let other = shop.app.another_instance().await;
        let mut cook2 = staff(&other, "pizzaiolo", "bastille").await;
        let id = shop.app.with_conn(|c| orders::table.select(orders::id).first::<OrderId>(c).unwrap()).await;
        let started = cook2.htmx_post(&format!("/staff/{}/kitchen/{id}/start", shop.bastille), &[]).await;
        assert_eq!(started.status, 200, "{}", started.body);
        let moved = screen.wait_for("board", Duration::from_secs(10)).await.expect("the started ticket");
        assert!(moved.data.contains("Commencée par Pizzaiolo Bastille"), "{}", moved.data);
    }

    async fn the_customer_is_promised_a_time_from_the_live_queue(db) {
        let shop = shop(db).await;
        let mut c = Customer::new(&shop.app).await;
        c.get(&format!("/pizzerias/{}", shop.bastille)).await;
        c.add(shop.bastille.0, shop.margherita.0, 1).await;
        let checkout = c.get("/checkout").await;
        assert!(checkout.body.contains("livrée vers") && checkout.body.contains("prête vers"), "{}", checkout.body);
        let placed = c.checkout().await;
        let token = Customer::token_of(&placed);
        let order = order_by_token(&shop.app, &token).await;
        let promised = order.promised_at.expect("a promise at checkout");
        assert!(promised > order.created_at, "later than now");
        let page = c.get(&format!("/orders/{token}")).await;
        assert!(page.body.contains("Livrée vers"), "{}", page.body);
        assert!(page.body.contains("<ol class=\"steps\""), "a step tracker, as a list: {}", page.body);
        for step in ["Reçue", "En préparation", "Prête", "En livraison", "Livrée"] {
            assert!(page.body.contains(step), "{step}");
        }
    }

    async fn an_order_for_later_waits_in_its_lane_and_stays_out_of_the_all_day_count(db) {
        use ocpizza::domain::cart::CartLine;
        use ocpizza::domain::contact::Contact;
        use ocpizza::domain::order::{Channel, PaymentMethod};
        use ocpizza::services::floor::{self, CounterOrder, Member};
        let shop = shop(db).await;
        let (a, product) = (shop.bastille, shop.regina);
        let at = ocpizza::models::now() + chrono::Duration::hours(3);
        shop.app.with_conn(move |c| {
            let (user, pizzeria) = ocpizza::models::staff::member_by_email(c, "counter.bastille@demo.ocpizza.fr").unwrap().unwrap();
            let order = CounterOrder {
                lines: vec![CartLine { product, qty: 4 }],
                contact: Contact { name: "Nina".into(), phone: "06 10 20 30 40".into(), email: String::new() },
                delivery: None,
                desired_at: Some(at),
                channel: Channel::Phone,
                payment: PaymentMethod::AtPickup,
                paid_now: None,
                key: ocpizza::services::tokens::checkout_key(),
                promised_at: None,
            };
            floor::place_counter_order(c, Member { pizzeria, user }, &order).unwrap();
        }).await;
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        let page = cook.get(&format!("/staff/{a}/kitchen")).await;
        let later = &page.body[page.body.find("lane-later").expect("the later lane")..];
        assert!(later.contains("#001") && later.contains("entre en file à"), "{later}");
        assert!(page.body.contains("En cours (0)") && !page.body.contains("<strong>Regina</strong> ×4"), "{}", page.body);
    }
}
