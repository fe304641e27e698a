//! The direction's products and recipes: a new product reaches every pizzeria's menu with the
//! allergens of its recipe; a price or a recipe changed never changes an order already placed
//! (it keeps its price and consumes what it reserved); bad input is refused field by field
//! with nothing written.

use crate::each_backend;
use crate::fixtures;
use crate::floor::{staff, web_order};
use crate::management::{ingredient, level};
use crate::ordering::shop;
use diesel::prelude::*;
use ocpizza::db::schema::{menu_items, order_lines, orders, products, recipe_lines, recipe_steps};
use ocpizza::domain::ids::ProductId;

fn unescape(body: &str) -> String {
    body.replace("&#x27;", "'").replace("&#x2F;", "/")
}

async fn product_count(app: &crate::harness::TestApp) -> i64 {
    app.with_conn(|c| products::table.count().get_result(c).unwrap())
        .await
}

async fn recipe_of(app: &crate::harness::TestApp, p: ProductId) -> (Vec<(i64, i64)>, Vec<String>) {
    app.with_conn(move |c| {
        let lines = recipe_lines::table
            .filter(recipe_lines::product_id.eq(p))
            .order(recipe_lines::ingredient_id)
            .select((recipe_lines::ingredient_id, recipe_lines::quantity))
            .load(c)
            .unwrap();
        let steps = recipe_steps::table
            .filter(recipe_steps::product_id.eq(p))
            .order(recipe_steps::position)
            .select(recipe_steps::instruction)
            .load(c)
            .unwrap();
        (lines, steps)
    })
    .await
}

each_backend! {
    async fn a_new_product_with_its_recipe_reaches_every_menu_with_its_allergens(db) {
        let shop = shop(db).await;
        let dough = ingredient(&shop.app, "Pâte à pizza").await;
        let cheese = ingredient(&shop.app, "Mozzarella di bufala").await;
        let oil = ingredient(&shop.app, "Huile d'olive extra vierge").await;
        let mut admin = staff(&shop.app, "admin", "").await;
        assert_eq!(admin.get("/admin/products/new").await.status, 200);
        let (d, c, o) = (dough.to_string(), cheese.to_string(), oil.to_string());
        let made = admin.post("/admin/products", &[
            ("kind", "pizza"), ("name", "Burratina"), ("description", "Burrata, huile d'olive."), ("price", "14,90"), ("active", "on"),
            ("ingredient[0]", &d), ("qty[0]", "0,25"), ("unit[0]", "kg"),
            ("ingredient[1]", &c), ("qty[1]", "125"), ("unit[1]", "g"),
            ("ingredient[2]", &o), ("qty[2]", "1"), ("unit[2]", "cl"),
            ("ingredient[3]", ""), ("qty[3]", ""), ("unit[3]", "g"),
            ("order[0]", "2"), ("step[0]", "Cuire la pâte nue."),
            ("order[1]", "1"), ("step[1]", "Étaler la pâte."),
            ("order[2]", "3"), ("step[2]", ""),
        ]).await;
        assert_eq!(made.status, 303, "{}", made.body);
        let burratina = shop.app.with_conn(|c| fixtures::product(c, "Burratina")).await;
        let (lines, steps) = recipe_of(&shop.app, burratina).await;
        let mut expected = vec![(dough.0, 250), (cheese.0, 125), (oil.0, 10)];
        expected.sort();
        assert_eq!(lines, expected, "kg and cl in the ingredient's unit");
        assert_eq!(steps, vec!["Étaler la pâte.".to_string(), "Cuire la pâte nue.".to_string()]);
        let (price, on_menus): (i64, i64) = shop.app.with_conn(move |c| (
            products::table.find(burratina).select(products::price_cents).first(c).unwrap(),
            menu_items::table.filter(menu_items::product_id.eq(burratina)).filter(menu_items::enabled.eq(true)).count().get_result(c).unwrap(),
        )).await;
        assert_eq!((price, on_menus), (1490, 5));
        let other = shop.app.another_instance().await;
        let mut customer = crate::customer::Customer::new(&other).await;
        let menu = unescape(&customer.get(&format!("/pizzerias/{}", shop.montmartre)).await.body);
        let at = menu.find(&format!("id=\"product-{burratina}\"")).expect("on the Montmartre menu");
        let line = &menu[at..at + menu[at..].find("</li>").unwrap()];
        assert!(line.contains("14,90") && line.contains("Allergènes : gluten, lait"), "{line}");
        let list = admin.get("/admin/products?done=created").await;
        assert!(list.body.contains("Produit ajouté"));
    }

    async fn a_price_or_recipe_changed_never_changes_an_order_already_placed(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let mozzarella = ingredient(&shop.app, "Mozzarella fior di latte").await;
        let (_, _, order) = web_order(&shop, 2).await;
        let reserved = level(&shop.app, a, mozzarella).await.reserved;
        let on_hand = level(&shop.app, a, mozzarella).await.on_hand;
        assert_eq!(reserved, 240, "two Margheritas at 120 g");
        // The direction raises the price and the mozzarella of the Margherita.
        let mut admin = staff(&shop.app, "admin", "").await;
        let form = admin.get(&format!("/admin/products/{}", shop.margherita)).await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains("value=\"10,50\""));
        let (lines, steps) = recipe_of(&shop.app, shop.margherita).await;
        let mut fields: Vec<(String, String)> = vec![
            ("kind".into(), "pizza".into()), ("name".into(), "Margherita".into()),
            ("description".into(), "Plus de mozzarella.".into()), ("price".into(), "11,00".into()), ("active".into(), "on".into()),
        ];
        for (n, (i, q)) in lines.iter().enumerate() {
            let q = if *i == mozzarella.0 { 200 } else { *q };
            fields.push((format!("ingredient[{n}]"), i.to_string()));
            fields.push((format!("qty[{n}]"), q.to_string()));
            fields.push((format!("unit[{n}]"), if *i == ingredient(&shop.app, "Huile d'olive extra vierge").await.0 { "ml" } else { "g" }.into()));
        }
        for (n, s) in steps.iter().enumerate() {
            fields.push((format!("order[{n}]"), (n + 1).to_string()));
            fields.push((format!("step[{n}]"), s.clone()));
        }
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let saved = admin.post(&format!("/admin/products/{}", shop.margherita), &refs).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        // The order keeps its price and total.
        let (unit_price, total): (i64, i64) = shop.app.with_conn(move |c| (
            order_lines::table.filter(order_lines::order_id.eq(order)).select(order_lines::unit_price_cents).first(c).unwrap(),
            orders::table.find(order).select(orders::total_cents).first(c).unwrap(),
        )).await;
        assert_eq!((unit_price, total), (1050, 2100));
        assert_eq!(level(&shop.app, a, mozzarella).await.reserved, 240, "its reservation stands");
        // Started, it consumes what it reserved, not the new recipe.
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        cook.get(&format!("/staff/{a}/kitchen")).await;
        assert_eq!(cook.htmx_post(&format!("/staff/{a}/kitchen/{order}/start"), &[]).await.status, 200);
        let after = level(&shop.app, a, mozzarella).await;
        assert_eq!((after.on_hand, after.reserved), (on_hand - 240, 0));
        // A new order pays the new price and reserves the new recipe.
        let (_, _, next) = web_order(&shop, 1).await;
        let total: i64 = shop.app.with_conn(move |c| orders::table.find(next).select(orders::total_cents).first(c).unwrap()).await;
        assert_eq!(total, 1100);
        assert_eq!(level(&shop.app, a, mozzarella).await.reserved, 200);
    }

    async fn bad_product_input_is_refused_field_by_field_and_nothing_is_written(db) {
        let shop = shop(db).await;
        let mut admin = staff(&shop.app, "admin", "").await;
        admin.get("/admin/products/new").await;
        let dough = ingredient(&shop.app, "Pâte à pizza").await.to_string();
        let before = product_count(&shop.app).await;
        let base = |name: &'static str, price: &'static str| -> Vec<(&'static str, String)> {
            vec![("kind", "pizza".into()), ("name", name.into()), ("description", String::new()), ("price", price.into())]
        };
        let line = |i: &str, q: &str, u: &str| -> Vec<(&'static str, String)> {
            vec![("ingredient[0]", i.to_string()), ("qty[0]", q.to_string()), ("unit[0]", u.to_string())]
        };
        let cases: Vec<(Vec<(&'static str, String)>, &str)> = vec![
            ([base("Nouvelle", "0"), line(&dough, "250", "g")].concat(), "Le prix doit être supérieur à 0 €."),
            ([base("Nouvelle", "-4,50"), line(&dough, "250", "g")].concat(), "Le prix doit être supérieur à 0 €."),
            ([base("margherita", "9,00"), line(&dough, "250", "g")].concat(), "Un produit porte déjà ce nom."),
            (base("Nouvelle", "9,00"), "Une recette compte au moins un ingrédient."),
            ([base("Nouvelle", "9,00"), line(&dough, "250", "ml")].concat(), "L'unité ne correspond pas à cet ingrédient (compté en g)."),
            ([base("Nouvelle", "9,00"), line(&dough, "-250", "g")].concat(), "La quantité ne peut pas être négative."),
            ([base("Nouvelle", "9,00"), line(&dough, "0", "g")].concat(), "La quantité doit être d'au moins 1."),
            ([base("Nouvelle", "9,00"), line(&dough, "99999999", "kg")].concat(), "Quantité trop grande"),
            ([base("Nouvelle", "9,00"), line("999999", "250", "g")].concat(), "Choisissez un ingrédient de la liste."),
            ([base("Nouvelle", "9,00"), line(&dough, "250", "g"), vec![("ingredient[1]", dough.clone()), ("qty[1]", "10".into()), ("unit[1]", "g".into())]].concat(), "Pâte à pizza figure déjà sur une autre ligne."),
            ([base("Nouvelle", "9,00"), line(&dough, "250", "g"), vec![("order[0]", "0".into()), ("step[0]", "Étaler".into())]].concat(), "Numérotez l'étape de 1 à 99."),
            ([vec![("kind", "pâtes".to_string()), ("name", "Nouvelle".into()), ("price", "9".into())], line(&dough, "250", "g")].concat(), "Choisissez la catégorie"),
        ];
        for (fields, message) in cases {
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = admin.post("/admin/products", &refs).await;
            assert_eq!(res.status, 422, "{message}");
            let body = unescape(&res.body);
            assert!(body.contains(message), "{message}: {body}");
            assert!(body.contains("class=\"field-error\""), "{message}");
        }
        assert_eq!(product_count(&shop.app).await, before, "nothing written");
        // A bad edit leaves the product as it was.
        let (lines_before, steps_before) = recipe_of(&shop.app, shop.margherita).await;
        let res = admin.post(&format!("/admin/products/{}", shop.margherita), &[("kind", "pizza"), ("name", "Margherita"), ("price", "0")]).await;
        assert_eq!(res.status, 422);
        assert_eq!(recipe_of(&shop.app, shop.margherita).await, (lines_before, steps_before));
        let price: i64 = shop.app.with_conn(|c| products::table.filter(products::name.eq("Margherita")).select(products::price_cents).first(c).unwrap()).await;
        assert_eq!(price, 1050);
        assert_eq!(admin.get("/admin/products/999999").await.status, 404);
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        assert_eq!(manager.get("/admin/products").await.status, 403);
    }
}
