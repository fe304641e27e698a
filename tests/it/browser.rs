//! A real headless Chromium on a phone-sized screen, driven through ChromeDriver: a customer
//! orders two pizzas paying on delivery and watches the status change live; the kitchen and
//! the driver move an order; a manager's delivery brings a sold-out pizza back on an open menu;
//! the menu's photos arrive in their reserved place, moving nothing.

use crate::each_backend;
use crate::ordering::shop;
use fantoccini::{Client, ClientBuilder, Locator};
use ocpizza::domain::order::{Actor, OrderStatus};
use ocpizza::services::orders;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
pub(crate) const WAIT: Duration = Duration::from_secs(15);

/// ChromeDriver on a free port, stopped with the test.
pub(crate) struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    pub(crate) async fn start() -> Driver {
        assert!(
            std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists(),
            "browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if reqwest::get(format!("{url}/status")).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Driver { child, url }
    }

    pub(crate) async fn phone(&self) -> Client {
        // Both rustls back ends are linked (reqwest, hyper-rustls): say which one to use.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let profile = tempfile::tempdir().unwrap().keep();
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=390,844",
        ]
        .iter()
        .map(|a| a.to_string())
        .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
                "mobileEmulation": { "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3.0 } }
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn text_of(b: &Client, css: &str) -> String {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits until the element's text contains `expected`.
pub(crate) async fn wait_text(b: &Client, css: &str, expected: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(e) = b.find(Locator::Css(css)).await {
            if e.text().await.unwrap_or_default().contains(expected) {
                return;
            }
        }
        if tokio::time::Instant::now() >= deadline {
            let source = b.source().await.unwrap_or_default();
            let logs = b
                .execute("return JSON.stringify(window.__errors || [])", vec![])
                .await
                .ok();
            if let Ok(dir) = std::env::var("OCPIZZA_SCREENSHOTS") {
                let _ = std::fs::write(
                    format!("{dir}/failure.png"),
                    b.screenshot().await.unwrap_or_default(),
                );
                let _ = std::fs::write(format!("{dir}/failure.html"), &source);
            }
            panic!("{css} never showed {expected:?} ({logs:?})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the script returns true.
async fn wait_js(b: &Client, script: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while b.execute(script, vec![]).await.unwrap() != serde_json::Value::Bool(true) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never true: {script}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn fill(b: &Client, id: &str, value: &str) {
    let input = b.find(Locator::Id(id)).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

/// Léa's delivery address and contact, typed into the checkout form.
pub(crate) async fn fill_delivery(b: &Client) {
    fill(b, "street", "12 rue Oberkampf").await;
    fill(b, "postal_code", "75011").await;
    fill(b, "name", "Léa Martin").await;
    fill(b, "phone", "06 12 34 56 78").await;
    fill(b, "email", "lea@example.fr").await;
}

pub(crate) async fn click(b: &Client, css: &str) {
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Signs a demo staff member of the Bastille in, in this browser.
async fn sign_in(s: &crate::ordering::Shop, b: &Client, role: &str) {
    b.goto(&s.app.url("/login")).await.unwrap();
    fill(b, "email", &format!("{role}.bastille@demo.ocpizza.fr")).await;
    fill(b, "password", &ocpizza::services::demo::demo_password(role)).await;
    click(b, "form button[type=submit]").await;
    wait_text(b, "h1", "OC Pizza Bastille").await;
}

/// One Margherita to the Bastille's cart, the delivery details, `payment` chosen (else the
/// form's default), and the checkout sent.
pub(crate) async fn check_out_a_margherita(
    s: &crate::ordering::Shop,
    b: &Client,
    payment: Option<&str>,
) {
    b.goto(&s.app.url(&format!("/pizzerias/{}", s.bastille)))
        .await
        .unwrap();
    click(b, &format!("#product-{} button[type=submit]", s.margherita)).await;
    wait_text(b, "#cart-summary", "1 article").await;
    b.goto(&s.app.url("/checkout")).await.unwrap();
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Id("street"))
        .await
        .unwrap();
    fill_delivery(b).await;
    if let Some(method) = payment {
        click(b, &format!("input[name=payment][value={method}]")).await;
    }
    click(b, "form.checkout button[type=submit]").await;
}

/// A customer's delivery order of one Margherita, placed on the phone: its tracking token.
async fn order_on_phone(s: &crate::ordering::Shop, b: &Client) -> String {
    check_out_a_margherita(s, b, None).await;
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Id("order-status"))
        .await
        .unwrap();
    let url = b.current_url().await.unwrap();
    url.path().rsplit('/').next().unwrap().to_string()
}

each_backend! {
    async fn a_customer_orders_on_a_phone_and_sees_the_kitchen_start_live(db) {
        let s = shop(db).await;
        let kitchen = s.app.another_instance().await;
        let driver = Driver::start().await;
        let b = driver.phone().await;

        b.goto(&s.app.url("/")).await.unwrap();
        b.find(Locator::LinkText("OC Pizza Bastille")).await.unwrap().click().await.unwrap();
        b.wait().at_most(WAIT).for_element(Locator::Css(".products")).await.unwrap();
        // Failed htmx requests are kept, to be shown if the test fails.
        b.execute("window.__errors = []; document.body.addEventListener('htmx:responseError', e => window.__errors.push(e.detail.xhr.status + ' ' + e.detail.xhr.responseText.slice(0, 300)));", vec![]).await.unwrap();
        assert_eq!(text_of(&b, "h1").await, "OC Pizza Bastille");

        for (product, count) in [(s.margherita, "1 article"), (s.regina, "2 articles")] {
            b.find(Locator::Css(&format!("#product-{product} button[type=submit]"))).await.unwrap().click().await.unwrap();
            wait_text(&b, "#cart-summary", count).await;
        }
        b.find(Locator::Css("#cart-summary a")).await.unwrap().click().await.unwrap();
        b.wait().at_most(WAIT).for_element(Locator::LinkText("Commander")).await.unwrap().click().await.unwrap();
        b.wait().at_most(WAIT).for_element(Locator::Id("street")).await.unwrap();
        fill_delivery(&b).await;
        b.find(Locator::Css("form.checkout button[type=submit]")).await.unwrap().click().await.unwrap();

        b.wait().at_most(WAIT).for_element(Locator::Id("order-status")).await.unwrap();
        let url = b.current_url().await.unwrap();
        assert!(url.path().starts_with("/orders/"), "{url}");
        assert!(text_of(&b, ".order-status__now").await.contains("Reçue"));
        assert!(text_of(&b, "main").await.contains("23,00"), "2 pizzas: 10,50 + 12,50");

        // The page is marked: a reload would lose the mark.
        b.execute("window.__stillTheSamePage = true; return true;", vec![]).await.unwrap();
        let token = url.path().rsplit('/').next().unwrap().to_string();
        let (p, id) = (s.bastille, crate::ordering::order_by_token(&s.app, &token).await.id);
        kitchen.with_conn(move |c| orders::change_status(c, p, id, OrderStatus::InPreparation, Actor::Staff, None, None)).await.unwrap();
        wait_text(&b, ".order-status__now", "En préparation").await;
        let same = b.execute("return window.__stillTheSamePage === true;", vec![]).await.unwrap();
        assert_eq!(same, serde_json::Value::Bool(true), "updated without reload");
        assert!(b.find(Locator::LinkText("Modifier la commande")).await.is_err(), "no more modify button");

        if let Ok(dir) = std::env::var("OCPIZZA_SCREENSHOTS") {
            std::fs::write(format!("{dir}/tracking.png"), b.screenshot().await.unwrap()).unwrap();
        }
        b.close().await.unwrap();
    }

    async fn back_after_logout_shows_nothing_personal_and_long_names_fit_the_phone(db) {
        let s = shop(db).await;
        let driver = Driver::start().await;
        let b = driver.phone().await;
        let long_name = format!("Léa-{}", "Montmorency".repeat(9));
        b.goto(&s.app.url("/register")).await.unwrap();
        fill(&b, "name", &long_name).await;
        fill(&b, "email", "lea@example.fr").await;
        fill(&b, "password", "une pizza au feu de bois").await;
        fill(&b, "password_confirm", "une pizza au feu de bois").await;
        b.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
        wait_text(&b, "h1", "Vérifiez votre boîte mail").await;
        let link = crate::customer::latest_link(&s.app, "lea@example.fr", "account_confirm").await.unwrap();
        b.goto(&s.app.url(&link)).await.unwrap();
        b.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
        wait_text(&b, "h1", "Mon compte").await;
        assert!(text_of(&b, "main").await.contains("lea@example.fr"));
        let fits = b.execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]).await.unwrap();
        assert_eq!(fits, serde_json::Value::Bool(true), "a long name wraps instead of widening the page");

        b.find(Locator::XPath("//button[normalize-space()='Se déconnecter']")).await.unwrap().click().await.unwrap();
        wait_text(&b, "h1", "Choisissez votre pizzeria").await;
        b.back().await.unwrap();
        b.wait().at_most(WAIT).for_element(Locator::Css("h1")).await.unwrap();
        let shown = text_of(&b, "body").await;
        assert!(!shown.contains("lea@example.fr") && !shown.contains("Montmorency"), "back after logout shows nothing personal: {shown}");
        b.close().await.unwrap();
    }

    async fn the_kitchen_and_the_driver_move_an_order_and_the_customer_follows_each_step(db) {
        let s = shop(db).await;
        let driver = Driver::start().await;
        let (customer, cook, rider) = (driver.phone().await, driver.phone().await, driver.phone().await);
        sign_in(&s, &cook, "pizzaiolo").await;
        sign_in(&s, &rider, "driver").await;
        cook.goto(&s.app.url(&format!("/staff/{}/kitchen", s.bastille))).await.unwrap();
        wait_text(&cook, "#board", "Aucun ticket en cours").await;
        cook.execute("window.__stillTheSamePage = true; return true;", vec![]).await.unwrap();

        // The customer orders; the kitchen screen shows it without reload.
        let token = order_on_phone(&s, &customer).await;
        let id = crate::ordering::order_by_token(&s.app, &token).await.id;
        wait_text(&cook, &format!("#ticket-{id}"), "#001").await;
        let same = cook.execute("return window.__stillTheSamePage === true;", vec![]).await.unwrap();
        assert_eq!(same, serde_json::Value::Bool(true), "the ticket came without reload");

        // Started: the customer's page follows and its cancel button goes.
        click(&cook, &format!("#ticket-{id} form[action$='/start'] button")).await;
        wait_text(&customer, ".order-status__now", "En préparation").await;
        assert!(customer.find(Locator::LinkText("Annuler la commande")).await.is_err(), "no more cancel button");
        wait_text(&customer, ".steps__step--current", "En préparation").await;
        click(&cook, &format!("#ticket-{id} form[action$='/ready'] button")).await;
        wait_text(&customer, ".order-status__now", "Prête").await;

        // The driver takes it, then brings it and the money.
        rider.goto(&s.app.url(&format!("/staff/{}/delivery", s.bastille))).await.unwrap();
        wait_text(&rider, "#board", "#001").await;
        click(&rider, &format!("input[name='take[{id}]']")).await;
        click(&rider, "#board form[action$='/take'] button[type=submit]").await;
        wait_text(&customer, ".order-status__now", "En livraison").await;
        wait_text(&rider, "#mine-title", "Ma tournée (1)").await;
        click(&rider, &format!("li[data-order='{id}'] input[name=hand][value=cash]")).await;
        click(&rider, &format!("li[data-order='{id}'] form[action$='/delivered'] button")).await;
        wait_text(&customer, ".order-status__now", "Livrée").await;
        let status = crate::ordering::order_by_token(&s.app, &token).await.status;
        assert_eq!(status, OrderStatus::Delivered);
        for b in [customer, cook, rider] {
            b.close().await.unwrap();
        }
    }
    async fn a_supplier_delivery_brings_a_sold_out_pizza_back_on_the_open_menu(db) {
        let s = shop(db).await;
        let a = s.bastille;
        let bufala = s.app.with_conn(|c| crate::fixtures::ingredient(c, "Mozzarella di bufala")).await;
        crate::management::set_level(&s.app, a, bufala, 0).await;
        let driver = Driver::start().await;
        let (customer, manager) = (driver.phone().await, driver.phone().await);
        customer.goto(&s.app.url(&format!("/pizzerias/{a}"))).await.unwrap();
        let badge = format!("#product-{} .product__availability", s.bufalina);
        wait_text(&customer, &badge, "Épuisée").await;
        customer.execute("window.__stillTheSamePage = true; return true;", vec![]).await.unwrap();

        // The manager records the delivery of the missing cheese, in kilograms.
        sign_in(&s, &manager, "manager").await;
        manager.goto(&s.app.url(&format!("/staff/{a}/stock/delivery"))).await.unwrap();
        fill(&manager, &format!("qty[{bufala}]"), "1,5").await;
        click(&manager, &format!("select[name='unit[{bufala}]'] option[value=kg]")).await;
        click(&manager, "form[action$='/stock/delivery'] button[type=submit]").await;
        wait_text(&manager, ".notice", "Livraison fournisseur enregistrée.").await;
        wait_text(&manager, &format!("#ingredient-{bufala} .available"), "1,5 kg").await;

        // The customer's open menu offers the pizza again, without reload.
        wait_text(&customer, &badge, "Disponible").await;
        let same = customer.execute("return window.__stillTheSamePage === true;", vec![]).await.unwrap();
        assert_eq!(same, serde_json::Value::Bool(true), "the menu changed without reload");
        let enabled = customer
            .execute(&format!("return !document.querySelector('#product-{} button[type=submit]').disabled;", s.bufalina), vec![])
            .await
            .unwrap();
        assert_eq!(enabled, serde_json::Value::Bool(true), "the add button works again");
        // Scrolled to, as a thumb does: the cart bar stays at the bottom of the screen.
        let button = format!("#product-{} button[type=submit]", s.bufalina);
        customer
            .execute(&format!("document.querySelector('{button}').scrollIntoView({{block: 'center'}}); return true;"), vec![])
            .await
            .unwrap();
        click(&customer, &button).await;
        wait_text(&customer, "#cart-summary", "1 article").await;
        for b in [customer, manager] {
            b.close().await.unwrap();
        }
    }
}

each_backend! {
    async fn the_menu_photos_arrive_in_their_reserved_place_moving_nothing(db) {
        let s = shop(db.clone()).await;
        let media = std::path::PathBuf::from(db.media_dir());
        let far = s.app.with_conn(|c| crate::fixtures::product(c, "Glace vanille de Madagascar")).await;
        for p in [s.margherita, s.regina, far] {
            let key = ocpizza::services::photos::store(&media, &crate::photos::png(800, 600)).unwrap();
            s.app.with_conn(move |c| ocpizza::services::photos::attach(c, p, Some(&key)).unwrap()).await;
        }
        let driver = Driver::start().await;
        let b = driver.phone().await;
        // Every layout shift of the page, from its start.
        b.goto(&s.app.url(&format!("/pizzerias/{}", s.bastille))).await.unwrap();
        // Every layout shift that moved a card or what is in it (a live availability badge
        // redrawn in place moves only itself and its button: not counted, but listed).
        b.execute("window.__shift = 0; window.__shifts = []; new PerformanceObserver(l => l.getEntries().forEach(e => { const els = e.sources.map(s => s.node && (s.node.nodeType === 1 ? s.node : s.node.parentElement)).filter(Boolean); window.__shifts.push(e.value + ': ' + els.map(n => n.tagName + '.' + n.className).join(' ')); if (els.some(n => !n.closest('.product__availability, header'))) window.__shift += e.value; })).observe({type: 'layout-shift', buffered: true}); return true;", vec![]).await.unwrap();
        let first = format!("#product-{} .product__photo", s.margherita);
        wait_js(&b, &format!("const i = document.querySelector('{first}'); return i.complete && i.naturalWidth > 0;")).await;
        let chosen = b.execute(&format!("return document.querySelector('{first}').currentSrc;"), vec![]).await.unwrap();
        assert!(chosen.as_str().unwrap().ends_with("-480.jpg"), "a 3x phone takes the 480 px size: {chosen}");
        let box_of = format!("const r = document.querySelector('{first}').getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)];");
        assert_eq!(b.execute(&box_of, vec![]).await.unwrap(), serde_json::json!([112, 84]), "7 rem at 4:3");
        let lazy = format!("#product-{far} .product__photo");
        // Far below the first screen the browser fetches it when it sees fit (Chromium: within
        // 1,250 to 5,000 px of the screen, by connection type); the first ones at once.
        let modes = b.execute(&format!("return [document.querySelector('{first}').loading, document.querySelector('{lazy}').loading];"), vec![]).await.unwrap();
        assert_eq!(modes, serde_json::json!(["auto", "lazy"]));
        b.execute(&format!("document.querySelector('{lazy}').scrollIntoView({{block: 'center'}}); return true;"), vec![]).await.unwrap();
        wait_js(&b, &format!("const i = document.querySelector('{lazy}'); return i.complete && i.naturalWidth > 0;")).await;
        // Two frames after the last photo arrived, the observer has had every shift.
        let shift = b.execute_async("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(window.__shift)));", vec![]).await.unwrap();
        let shifts = b.execute("return window.__shifts;", vec![]).await.unwrap();
        assert_eq!(shift.as_f64(), Some(0.0), "nothing moved when the photos arrived: {shifts}");
        // Before any byte of a photo arrives, its place is already there: the same element
        // with nothing to load (no src, no srcset) takes the same box.
        let empty = format!("const i = document.querySelector('{first}').cloneNode(); i.removeAttribute('srcset'); i.removeAttribute('src'); i.id = 'unloaded'; document.querySelector('{first}').after(i); const r = i.getBoundingClientRect(); return [i.naturalWidth, Math.round(r.width), Math.round(r.height)];");
        assert_eq!(b.execute(&empty, vec![]).await.unwrap(), serde_json::json!([0, 112, 84]), "the place is reserved");
        b.close().await.unwrap();
    }
}
