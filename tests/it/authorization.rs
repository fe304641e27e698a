//! Who may open which staff page. Every route under /staff and /admin is listed here with the
//! people it serves, and asked for by every kind of person: a guest is sent to the login page,
//! anyone else not served gets a French 403, and a member of another pizzeria never gets in.

use crate::customer::Customer;
use crate::each_backend;
use crate::fixtures;
use crate::harness::TestApp;
use ocpizza::web::guards::{Counter, Driver, GroupAdmin, Manager, Pizzaiolo, PizzeriaStaff};
use std::collections::BTreeSet;

/// Who asks. Pizzeria A is the Bastille, B the Montmartre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Guest,
    Customer,
    CounterA,
    PizzaioloA,
    DriverA,
    ManagerA,
    ManagerB,
    Admin,
}

const EVERYONE: [Who; 8] = [
    Who::Guest,
    Who::Customer,
    Who::CounterA,
    Who::PizzaioloA,
    Who::DriverA,
    Who::ManagerA,
    Who::ManagerB,
    Who::Admin,
];

/// Who a page serves, besides the group admin.
#[derive(Debug, Clone, Copy)]
enum Serves {
    /// Any member of pizzeria A's team.
    TeamOfA,
    /// This role at A, and A's manager.
    RoleAtA(Who),
    /// A's manager only.
    ManagerOfA,
    /// The group admin only.
    AdminOnly,
}

impl Serves {
    fn lets_in(self, who: Who) -> bool {
        use Who::*;
        who == Admin
            || match self {
                Serves::TeamOfA => matches!(who, CounterA | PizzaioloA | DriverA | ManagerA),
                Serves::RoleAtA(role) => who == role || who == ManagerA,
                Serves::ManagerOfA => who == ManagerA,
                Serves::AdminOnly => false,
            }
    }
}

/// How a route is asked for: a page or fragment, a posted form (with a valid CSRF token), or a
/// live stream (only its answer's status and headers are read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    Get,
    Post,
    Stream,
}

const COOK: Serves = Serves::RoleAtA(Who::PizzaioloA);
const DRIVER: Serves = Serves::RoleAtA(Who::DriverA);
const COUNTER: Serves = Serves::RoleAtA(Who::CounterA);

/// Every staff and admin route of the application: (method and route as Rocket spells it, a
/// path to ask for with `{A}` standing for pizzeria A and `{O}`, `{P}`, `{I}`, `{U}` for one of
/// its orders, products, ingredients and team members, who it serves, how it is asked).
const ROUTES: [(&str, &str, Serves, Ask); 74] = [
    (
        "GET /staff/<_pizzeria>",
        "/staff/{A}",
        Serves::TeamOfA,
        Ask::Get,
    ),
    (
        "GET /staff/<_p>/kitchen",
        "/staff/{A}/kitchen",
        COOK,
        Ask::Get,
    ),
    (
        "GET /staff/<_p>/kitchen/board",
        "/staff/{A}/kitchen/board",
        COOK,
        Ask::Get,
    ),
    (
        "GET /staff/<_p>/kitchen/events",
        "/staff/{A}/kitchen/events",
        COOK,
        Ask::Stream,
    ),
    (
        "POST /staff/<_p>/kitchen/<order>/start",
        "/staff/{A}/kitchen/{O}/start",
        COOK,
        Ask::Post,
    ),
    (
        "POST /staff/<_p>/kitchen/<order>/ready",
        "/staff/{A}/kitchen/{O}/ready",
        COOK,
        Ask::Post,
    ),
    (
        "POST /staff/<_p>/kitchen/<order>/undo",
        "/staff/{A}/kitchen/{O}/undo",
        COOK,
        Ask::Post,
    ),
    (
        "GET /staff/<_p>/recipes/<product>?<count>",
        "/staff/{A}/recipes/{P}?count=2",
        COOK,
        Ask::Get,
    ),
    (
        "GET /staff/<_p>/delivery",
        "/staff/{A}/delivery",
        DRIVER,
        Ask::Get,
    ),
    (
        "GET /staff/<_p>/delivery/events",
        "/staff/{A}/delivery/events",
        DRIVER,
        Ask::Stream,
    ),
    (
        "GET /staff/<_p>/delivery/summary",
        "/staff/{A}/delivery/summary",
        DRIVER,
        Ask::Get,
    ),
    (
        "POST /staff/<_p>/delivery/take",
        "/staff/{A}/delivery/take",
        DRIVER,
        Ask::Post,
    ),
    (
        "POST /staff/<_p>/delivery/<order>/delivered",
        "/staff/{A}/delivery/{O}/delivered",
        DRIVER,
        Ask::Post,
    ),
    (
        "POST /staff/<_p>/delivery/<order>/failed",
        "/staff/{A}/delivery/{O}/failed",
        DRIVER,
        Ask::Post,
    ),
    (
        "POST /staff/<_p>/delivery/<order>/resend",
        "/staff/{A}/delivery/{O}/resend",
        Serves::ManagerOfA,
        Ask::Post,
    ),
    (
        "GET /staff/<_p>/counter?<placed>",
        "/staff/{A}/counter",
        COUNTER,
        Ask::Get,
    ),
    (
        "GET /staff/<_p>/counter/events",
        "/staff/{A}/counter/events",
        COUNTER,
        Ask::Stream,
    ),
    (
        "GET /staff/<_p>/counter/customer?<phone>",
        "/staff/{A}/counter/customer?phone=0612345678",
        COUNTER,
        Ask::Get,
    ),
    (
        "GET /staff/<_p>/counter/pickups?<q>",
        "/staff/{A}/counter/pickups?q=lea",
        COUNTER,
        Ask::Get,
    ),
    (
        "POST /staff/<_p>/counter/orders",
        "/staff/{A}/counter/orders",
        COUNTER,
        Ask::Post,
    ),
    (
        "POST /staff/<_p>/counter/<order>/handover",
        "/staff/{A}/counter/{O}/handover",
        COUNTER,
        Ask::Post,
    ),
    (
        "GET /staff/<_p>/counter/<order>/cancel",
        "/staff/{A}/counter/{O}/cancel",
        COUNTER,
        Ask::Get,
    ),
    (
        "POST /staff/<_p>/counter/<order>/cancel",
        "/staff/{A}/counter/{O}/cancel",
        COUNTER,
        Ask::Post,
    ),
    (
        "GET /staff/<_p>/settings?<saved>",
        "/staff/{A}/settings",
        Serves::ManagerOfA,
        Ask::Get,
    ),
    (
        "POST /staff/<_p>/settings",
        "/staff/{A}/settings",
        Serves::ManagerOfA,
        Ask::Post,
    ),
    (
        "GET /staff/<_p>/stock?<days>&<done>",
        "/staff/{A}/stock?days=7",
        Serves::ManagerOfA,
        Ask::Get,
    ),
    (
        "GET /staff/<_p>/stock/events?<days>",
        "/staff/{A}/stock/events",
        Serves::ManagerOfA,
        Ask::Stream,
    ),
    (
        "GET /staff/<_p>/stock/delivery",
        "/staff/{A}/stock/delivery",
        Serves::ManagerOfA,
        Ask::Get,
    ),
    (
        "POST /staff/<_p>/stock/delivery",
        "/staff/{A}/stock/delivery",
        Serves::ManagerOfA,
        Ask::Post,
    ),
    (
        "GET /staff/<_p>/stock/adjust?<ingredient>",
        "/staff/{A}/stock/adjust?ingredient={I}",
        Serves::ManagerOfA,
        Ask::Get,
    ),
    (
        "POST /staff/<_p>/stock/adjust",
        "/staff/{A}/stock/adjust",
        Serves::ManagerOfA,
        Ask::Post,
    ),
    (
        "GET /staff/<_p>/stock/count",
        "/staff/{A}/stock/count",
        Serves::ManagerOfA,
        Ask::Get,
    ),
    (
        "POST /staff/<_p>/stock/count",
        "/staff/{A}/stock/count",
        Serves::ManagerOfA,
        Ask::Post,
    ),
    (
        "GET /staff/<_p>/stock/ingredients/<ingredient>?<before>&<saved>",
        "/staff/{A}/stock/ingredients/{I}",
        Serves::ManagerOfA,
        Ask::Get,
    ),
    (
        "POST /staff/<_p>/stock/ingredients/<ingredient>/threshold",
        "/staff/{A}/stock/ingredients/{I}/threshold",
        Serves::ManagerOfA,
        Ask::Post,
    ),
    (
        "POST /staff/<_p>/menu/<product>",
        "/staff/{A}/menu/{P}",
        Serves::ManagerOfA,
        Ask::Post,
    ),
    (
        "GET /staff/<_p>/team?<done>",
        "/staff/{A}/team",
        Serves::ManagerOfA,
        Ask::Get,
    ),
    (
        "POST /staff/<_p>/team",
        "/staff/{A}/team",
        Serves::ManagerOfA,
        Ask::Post,
    ),
    (
        "POST /staff/<_p>/team/<member>/role",
        "/staff/{A}/team/{U}/role",
        Serves::ManagerOfA,
        Ask::Post,
    ),
    (
        "POST /staff/<_p>/team/<member>/active",
        "/staff/{A}/team/{U}/active",
        Serves::ManagerOfA,
        Ask::Post,
    ),
    (
        "POST /staff/<_p>/team/<member>/invitation",
        "/staff/{A}/team/{U}/invitation",
        Serves::ManagerOfA,
        Ask::Post,
    ),
    (
        "GET /staff/<_p>/dashboard",
        "/staff/{A}/dashboard",
        Serves::ManagerOfA,
        Ask::Get,
    ),
    (
        "GET /staff/<_p>/dashboard/events",
        "/staff/{A}/dashboard/events",
        Serves::ManagerOfA,
        Ask::Stream,
    ),
    ("GET /admin", "/admin", Serves::AdminOnly, Ask::Get),
    (
        "GET /admin/dashboard",
        "/admin/dashboard",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "GET /admin/dashboard/events",
        "/admin/dashboard/events",
        Serves::AdminOnly,
        Ask::Stream,
    ),
    (
        "GET /admin/exports",
        "/admin/exports",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "GET /admin/ingredients?<done>",
        "/admin/ingredients",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "POST /admin/ingredients",
        "/admin/ingredients",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "GET /admin/ingredients/<ingredient>",
        "/admin/ingredients/{I}",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "POST /admin/ingredients/<ingredient>",
        "/admin/ingredients/{I}",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "POST /admin/ingredients/<ingredient>/delete",
        "/admin/ingredients/{I}/delete",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "GET /admin/emails?<done>",
        "/admin/emails",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "GET /admin/payments",
        "/admin/payments",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "POST /admin/emails/<id>/retry",
        "/admin/emails/1/retry",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "GET /admin/products?<done>",
        "/admin/products",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "GET /admin/products/new",
        "/admin/products/new",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "POST /admin/products",
        "/admin/products",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "POST /admin/products/<product>/photo",
        "/admin/products/{P}/photo",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "POST /admin/products/<product>/photo/remove",
        "/admin/products/{P}/photo/remove",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "GET /admin/products/<product>?<done>",
        "/admin/products/{P}",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "POST /admin/products/<product>",
        "/admin/products/{P}",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "GET /admin/pizzerias?<done>",
        "/admin/pizzerias",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "GET /admin/pizzerias/new",
        "/admin/pizzerias/new",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "POST /admin/pizzerias",
        "/admin/pizzerias",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "GET /admin/pizzerias/<pizzeria>",
        "/admin/pizzerias/{A}",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "POST /admin/pizzerias/<pizzeria>",
        "/admin/pizzerias/{A}",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "POST /admin/pizzerias/<pizzeria>/active",
        "/admin/pizzerias/{A}/active",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "POST /admin/pizzerias/<pizzeria>/closures",
        "/admin/pizzerias/{A}/closures",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "POST /admin/pizzerias/<pizzeria>/closures/<closure>/delete",
        "/admin/pizzerias/{A}/closures/1/delete",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "GET /admin/pizzerias/<pizzeria>/managers?<done>",
        "/admin/pizzerias/{A}/managers",
        Serves::AdminOnly,
        Ask::Get,
    ),
    (
        "POST /admin/pizzerias/<pizzeria>/managers",
        "/admin/pizzerias/{A}/managers",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "POST /admin/pizzerias/<pizzeria>/managers/appoint",
        "/admin/pizzerias/{A}/managers/appoint",
        Serves::AdminOnly,
        Ask::Post,
    ),
    (
        "GET /admin/exports/sales.csv?<from>&<to>",
        "/admin/exports/sales.csv?from=2026-12-01&to=2026-12-02",
        Serves::AdminOnly,
        Ask::Get,
    ),
];

/// Routes added by this test only, one per role guard.
const PROBES: [(&str, Serves); 4] = [
    (
        "/staff/{A}/probe/pizzaiolo",
        Serves::RoleAtA(Who::PizzaioloA),
    ),
    ("/staff/{A}/probe/driver", Serves::RoleAtA(Who::DriverA)),
    ("/staff/{A}/probe/counter", Serves::RoleAtA(Who::CounterA)),
    ("/staff/{A}/probe/manager", Serves::ManagerOfA),
];

#[rocket::get("/<_p>/probe/pizzaiolo")]
fn probe_pizzaiolo(_p: &str, g: Pizzaiolo) -> String {
    g.0.pizzeria.to_string()
}
#[rocket::get("/<_p>/probe/driver")]
fn probe_driver(_p: &str, g: Driver) -> String {
    g.0.pizzeria.to_string()
}
#[rocket::get("/<_p>/probe/counter")]
fn probe_counter(_p: &str, g: Counter) -> String {
    g.0.pizzeria.to_string()
}
#[rocket::get("/<_p>/probe/manager")]
fn probe_manager(_p: &str, g: Manager) -> String {
    g.0.pizzeria.to_string()
}
#[rocket::get("/<_p>/probe/any")]
fn probe_any(_p: &str, g: PizzeriaStaff) -> String {
    g.pizzeria.to_string()
}
#[rocket::get("/probe")]
fn probe_admin(g: GroupAdmin) -> String {
    g.name
}

/// An order of pizzeria A (entered at its counter) and a product of its menu.
async fn order_of(app: &TestApp, a: ocpizza::domain::ids::PizzeriaId) -> (i64, i64) {
    use ocpizza::domain::cart::CartLine;
    use ocpizza::domain::contact::Contact;
    use ocpizza::domain::order::{Channel, PaymentMethod};
    use ocpizza::services::floor::{self, CounterOrder, Member};
    app.with_conn(move |c| {
        fixtures::open_all_day(c);
        let product = fixtures::product(c, "Margherita");
        let (user, pizzeria) =
            ocpizza::models::staff::member_by_email(c, "counter.bastille@demo.ocpizza.fr")
                .unwrap()
                .unwrap();
        assert_eq!(pizzeria, a);
        let order = CounterOrder {
            lines: vec![CartLine { product, qty: 1 }],
            contact: Contact {
                name: "Léa Martin".into(),
                phone: "06 12 34 56 78".into(),
                email: String::new(),
            },
            delivery: None,
            desired_at: None,
            channel: Channel::Counter,
            payment: PaymentMethod::AtPickup,
            paid_now: None,
            key: ocpizza::services::tokens::checkout_key(),
            promised_at: None,
        };
        let (id, _) = floor::place_counter_order(c, Member { pizzeria, user }, &order).unwrap();
        (id.0, product.0)
    })
    .await
}

async fn with_probes(db: std::sync::Arc<crate::harness::TestDb>) -> TestApp {
    TestApp::serve_with(db, true, |rocket| {
        rocket
            .mount(
                "/staff",
                rocket::routes![
                    probe_pizzaiolo,
                    probe_driver,
                    probe_counter,
                    probe_manager,
                    probe_any
                ],
            )
            .mount("/admin", rocket::routes![probe_admin])
    })
    .await
}

/// A browser signed in as `who`.
async fn browser(app: &TestApp, who: Who) -> Customer {
    let mut c = Customer::new(app).await;
    let (email, role) = match who {
        Who::Guest => return c,
        Who::Customer => {
            let signed = c
                .register(app, "lea@example.fr", "une pizza au feu de bois")
                .await;
            assert_eq!(signed.status, 303);
            c.get("/account").await;
            return c;
        }
        Who::CounterA => ("counter.bastille@demo.ocpizza.fr", "counter"),
        Who::PizzaioloA => ("pizzaiolo.bastille@demo.ocpizza.fr", "pizzaiolo"),
        Who::DriverA => ("driver.bastille@demo.ocpizza.fr", "driver"),
        Who::ManagerA => ("manager.bastille@demo.ocpizza.fr", "manager"),
        Who::ManagerB => ("manager.montmartre@demo.ocpizza.fr", "manager"),
        Who::Admin => ("admin@demo.ocpizza.fr", "admin"),
    };
    c.get("/login").await;
    let password = ocpizza::services::demo::demo_password(role);
    let signed = c
        .post(
            "/login",
            &[
                ("email", email),
                ("password", &password),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{who:?} signs in: {}", signed.body);
    c
}

async fn check(browsers: &mut [(Who, Customer)], path: &str, serves: Serves) {
    check_as(browsers, path, serves, Ask::Get).await
}

async fn ask_once(c: &mut Customer, path: &str, ask: Ask) -> crate::customer::Answer {
    match ask {
        Ask::Get => c.get(path).await,
        Ask::Post => c.htmx_post(path, &[]).await,
        Ask::Stream => {
            // A stream never ends: only its status and headers are read.
            let res = c
                .http
                .get(format!("{}{path}", c.base))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string());
            let headers = res.headers().clone();
            let body = match status {
                200 => String::new(),
                _ => res.text().await.unwrap(),
            };
            crate::customer::Answer {
                status,
                location,
                body,
                headers,
            }
        }
    }
}

/// Asks `path` as each person: the people it serves get in (a page, a stream, or a form
/// judged on what it says: never a 401, 403 or 5xx), a guest goes to the login page, anyone
/// else gets the French 403.
async fn check_as(browsers: &mut [(Who, Customer)], path: &str, serves: Serves, ask: Ask) {
    for (who, c) in browsers.iter_mut() {
        let answer = ask_once(c, path, ask).await;
        let served = serves.lets_in(*who);
        if served && ask == Ask::Post {
            assert!(
                ![401, 403].contains(&answer.status) && answer.status < 500,
                "{who:?} on POST {path}: {} {}",
                answer.status,
                answer.body
            );
            continue;
        }
        let expected = match *who {
            _ if served => 200,
            Who::Guest if ask == Ask::Post => 401,
            Who::Guest => 303,
            _ => 403,
        };
        assert_eq!(
            answer.status, expected,
            "{who:?} on {ask:?} {path}: {}",
            answer.body
        );
        if served && ask == Ask::Stream {
            assert_eq!(
                answer.headers["content-type"], "text/event-stream",
                "{path}"
            );
        }
        if *who == Who::Guest && ask != Ask::Post {
            let to = answer.location.unwrap_or_default();
            assert!(to.starts_with("/login?next=/"), "{path}: {to}");
        }
        if expected == 403 || expected == 401 {
            assert!(
                answer.body.contains("Cette page est réservée")
                    || answer.body.contains("Connectez-vous"),
                "{who:?} on {path}: {}",
                answer.body
            );
        }
    }
}

each_backend! {
    async fn every_staff_route_serves_its_people_and_refuses_everyone_else(db) {
        let app = with_probes(db).await;
        let a = app.with_conn(|c| fixtures::pizzeria(c, "bastille")).await;
        let mut browsers = Vec::new();
        for who in EVERYONE {
            browsers.push((who, browser(&app, who).await));
        }
        let (order, product) = order_of(&app, a).await;
        let ingredient = app.with_conn(|c| fixtures::ingredient(c, "Câpres")).await;
        let cook = app.with_conn(|c| ocpizza::models::staff::member_by_email(c, "pizzaiolo.bastille@demo.ocpizza.fr").unwrap().unwrap().0).await;
        for (_, path, serves, ask) in ROUTES {
            let path = path.replace("{A}", &a.to_string()).replace("{O}", &order.to_string()).replace("{P}", &product.to_string()).replace("{I}", &ingredient.to_string()).replace("{U}", &cook.to_string());
            check_as(&mut browsers, &path, serves, ask).await;
        }
        for (path, serves) in PROBES {
            check(&mut browsers, &path.replace("{A}", &a.to_string()), serves).await;
        }
        check(&mut browsers, "/admin/probe", Serves::AdminOnly).await;
    }

    async fn the_pizzeria_comes_from_the_path_and_only_from_it(db) {
        let app = with_probes(db).await;
        let (a, b) = app.with_conn(|c| (fixtures::pizzeria(c, "bastille"), fixtures::pizzeria(c, "montmartre"))).await;
        let mut manager_a = browser(&app, Who::ManagerA).await;
        let mine = manager_a.get(&format!("/staff/{a}/probe/any?pizzeria={b}")).await;
        assert_eq!((mine.status, mine.body.as_str()), (200, a.to_string().as_str()), "a query parameter changes nothing");
        let theirs = manager_a.get(&format!("/staff/{b}/probe/any")).await;
        assert_eq!(theirs.status, 403);
        assert!(theirs.body.contains("réservée à l&#x27;équipe de cette pizzeria"), "{}", theirs.body);
        for bad in ["/staff/0", "/staff/abc", "/staff/-1"] {
            assert_eq!(manager_a.get(bad).await.status, 404, "{bad}");
        }
        let mut admin = browser(&app, Who::Admin).await;
        assert_eq!(admin.get(&format!("/staff/{b}")).await.status, 200, "the direction sees every pizzeria");
        assert_eq!(admin.get("/staff/999").await.status, 404);
    }

    async fn a_refusal_to_htmx_is_a_toast(db) {
        let app = with_probes(db).await;
        let a = app.with_conn(|c| fixtures::pizzeria(c, "bastille")).await;
        let driver = browser(&app, Who::DriverA).await;
        let res = driver.http.get(format!("{}/staff/{a}/probe/manager", app.base)).header("HX-Request", "true").send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        assert_eq!(res.headers()["hx-retarget"], "#toasts");
        let body = res.text().await.unwrap();
        assert!(body.contains("toast") && body.contains("réservée au gérant"), "{body}");
    }

    async fn staff_land_on_their_pizzeria_and_the_direction_on_its_page(db) {
        let app = TestApp::with_demo(db).await;
        let a = app.with_conn(|c| fixtures::pizzeria(c, "bastille")).await;
        for (email, role, home) in [
            ("pizzaiolo.bastille@demo.ocpizza.fr", "pizzaiolo", format!("/staff/{a}")),
            ("admin@demo.ocpizza.fr", "admin", "/admin".to_string()),
        ] {
            let mut c = Customer::new(&app).await;
            c.get("/login").await;
            let password = ocpizza::services::demo::demo_password(role);
            // The login page opened directly, not on the way to another page.
            let signed = c.post("/login", &[("email", email), ("password", &password), ("next", "")]).await;
            assert_eq!(signed.location.as_deref(), Some(home.as_str()), "{email}");
            let page = c.get(&home).await;
            assert_eq!(page.status, 200);
            assert_eq!(page.headers["cache-control"], "no-store", "staff pages are never cached");
        }
    }
}

/// Every route the application mounts under /staff or /admin is in `ROUTES`.
#[tokio::test]
async fn the_table_lists_every_staff_and_admin_route() {
    let db = crate::harness::TestDb::sqlite();
    let figment = ocpizza::config::figment()
        .merge(("database_url", db.url.clone()))
        .merge(("media_dir", db.media_dir()))
        .merge(("mail.folder", db.mail_dir()))
        .merge(("demo_photos", false))
        .merge(("log_level", "off"));
    let rocket = tokio::task::spawn_blocking(move || ocpizza::app(figment))
        .await
        .unwrap()
        .expect("app builds");
    let mounted: BTreeSet<String> = rocket
        .routes()
        .filter(|r| r.uri.path().starts_with("/staff") || r.uri.path().starts_with("/admin"))
        .map(|r| format!("{} {}", r.method, r.uri))
        .collect();
    let listed: BTreeSet<String> = ROUTES.iter().map(|(route, ..)| route.to_string()).collect();
    assert_eq!(mounted, listed, "every staff route needs its row in ROUTES");
}
