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

/// Every staff and admin route of the application: (route as Rocket spells it, a path to ask
/// for with `{A}` standing for pizzeria A, who it serves).
const ROUTES: [(&str, &str, Serves); 2] = [
    ("/staff/<_pizzeria>", "/staff/{A}", Serves::TeamOfA),
    ("/admin", "/admin", Serves::AdminOnly),
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
    for (who, c) in browsers.iter_mut() {
        let answer = c.get(path).await;
        let expected = match *who {
            _ if serves.lets_in(*who) => 200,
            Who::Guest => 303,
            _ => 403,
        };
        assert_eq!(
            answer.status, expected,
            "{who:?} on {path}: {}",
            answer.body
        );
        if *who == Who::Guest {
            let to = answer.location.unwrap_or_default();
            assert!(to.starts_with("/login?next=/"), "{path}: {to}");
        }
        if expected == 403 {
            assert!(
                answer.body.contains("Cette page est réservée"),
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
        for (_, path, serves) in ROUTES {
            check(&mut browsers, &path.replace("{A}", &a.to_string()), serves).await;
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
        .merge(("log_level", "off"));
    let rocket = tokio::task::spawn_blocking(move || ocpizza::app(figment))
        .await
        .unwrap()
        .expect("app builds");
    let mounted: BTreeSet<String> = rocket
        .routes()
        .map(|r| r.uri.to_string())
        .filter(|u| u.starts_with("/staff") || u.starts_with("/admin"))
        .collect();
    let listed: BTreeSet<String> = ROUTES
        .iter()
        .map(|(route, _, _)| route.to_string())
        .collect();
    assert_eq!(mounted, listed, "every staff route needs its row in ROUTES");
}
