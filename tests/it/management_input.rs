//! Bad input on every stock form of the manager: units that do not fit, negative, zero or
//! absurd quantities, unknown ingredients and products, a missing reason, a count or a waste
//! below what orders have reserved, fields the form does not have. Each gets a 4xx with a
//! French message next to its field and writes nothing: no ledger row, no level changed.

use crate::customer::Customer;
use crate::each_backend;
use crate::floor::{staff, web_order};
use crate::harness::TestApp;
use crate::management::{ingredient, level, set_level};
use crate::ordering::shop;
use diesel::prelude::*;
use ocpizza::db::schema::{menu_changes, stock_levels, stock_movements};

/// What a refused form must leave as it was: the ledger, every level, the menu switches.
async fn snapshot(app: &TestApp) -> (i64, Vec<(i64, i64, i64)>, i64) {
    app.with_conn(|c| {
        (
            stock_movements::table.count().get_result(c).unwrap(),
            stock_levels::table
                .order(stock_levels::id)
                .select((
                    stock_levels::on_hand,
                    stock_levels::reserved,
                    stock_levels::low_threshold,
                ))
                .load(c)
                .unwrap(),
            menu_changes::table.count().get_result(c).unwrap(),
        )
    })
    .await
}

async fn refused(
    c: &mut Customer,
    app: &TestApp,
    page: &str,
    path: &str,
    fields: &[(&str, &str)],
    status: u16,
    says: &str,
) {
    c.get(page).await;
    let before = snapshot(app).await;
    let answer = c.post(path, fields).await;
    assert_eq!(answer.status, status, "{path} {fields:?}: {}", answer.body);
    let body = answer.body.replace("&#x27;", "'").replace("&quot;", "\"");
    assert!(
        body.contains(says),
        "{path} {fields:?} should say « {says} »: {body}"
    );
    assert_eq!(
        snapshot(app).await,
        before,
        "{path} {fields:?} wrote nothing"
    );
}

each_backend! {
    async fn a_bad_supplier_delivery_is_refused_whole(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let (dough, oil) = (ingredient(&shop.app, "Pâte à pizza").await, ingredient(&shop.app, "Huile d'olive extra vierge").await);
        let mut m = staff(&shop.app, "manager", "bastille").await;
        let page = format!("/staff/{a}/stock/delivery");
        let (qd, ud, qo, uo) = (format!("qty[{dough}]"), format!("unit[{dough}]"), format!("qty[{oil}]"), format!("unit[{oil}]"));
        let long = "x".repeat(201);
        for (fields, says) in [
            (vec![(qd.as_str(), "2"), (ud.as_str(), "l")], "L'unité ne correspond pas à cet ingrédient (compté en g)."),
            (vec![(qd.as_str(), "-5"), (ud.as_str(), "kg")], "La quantité ne peut pas être négative."),
            (vec![(qd.as_str(), "beaucoup"), (ud.as_str(), "kg")], "Écrivez la quantité en chiffres"),
            (vec![(qd.as_str(), "100001"), (ud.as_str(), "kg")], "Quantité trop grande"),
            (vec![(qd.as_str(), "0"), (ud.as_str(), "g")], "Une livraison apporte au moins une unité."),
            (vec![(qd.as_str(), "1,2345"), (ud.as_str(), "kg")], "Quantité trop précise : au gramme près."),
            (vec![("qty[999999]", "5"), ("unit[999999]", "g")], "Ingrédient inconnu : rechargez la page."),
            (vec![("qty[abc]", "5")], "Ingrédient inconnu : rechargez la page."),
            (vec![(qd.as_str(), ""), (qo.as_str(), "")], "Indiquez au moins une quantité livrée."),
            // One good line and one bad: nothing is received.
            (vec![(qd.as_str(), "2"), (ud.as_str(), "kg"), (qo.as_str(), "2"), (uo.as_str(), "kg")], "L'unité ne correspond pas à cet ingrédient (compté en ml)."),
            (vec![(qd.as_str(), "2"), ("note", long.as_str())], "Le bon de livraison"),
            (vec![(qd.as_str(), "2"), ("price", "3")], "Champ inattendu : « price »"),
        ] {
            refused(&mut m, &shop.app, &page, &page, &fields, 422, says).await;
        }
    }

    async fn a_bad_adjustment_or_waste_is_refused(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let basil = ingredient(&shop.app, "Basilic frais").await;
        // Everything but what one Margherita reserves is thrown away: no more can go.
        web_order(&shop, 1).await;
        let reserved = level(&shop.app, a, basil).await.reserved;
        assert!(reserved > 0);
        set_level(&shop.app, a, basil, reserved).await;
        let mut m = staff(&shop.app, "manager", "bastille").await;
        let page = format!("/staff/{a}/stock/adjust");
        let b = basil.to_string();
        for (fields, says) in [
            (vec![("ingredient", b.as_str()), ("kind", "waste"), ("qty", "1"), ("unit", "g"), ("reason", "Fané")], "Le stock ne peut pas descendre sous ce qui est déjà réservé pour des commandes."),
            (vec![("ingredient", b.as_str()), ("kind", "waste"), ("qty", "1"), ("unit", "g"), ("reason", "")], "Le motif"),
            (vec![("ingredient", b.as_str()), ("kind", "vol"), ("qty", "1"), ("unit", "g"), ("reason", "Fané")], "Choisissez : correction ou perte."),
            (vec![("ingredient", "999999"), ("kind", "waste"), ("qty", "1"), ("unit", "g"), ("reason", "Fané")], "Choisissez un ingrédient de la liste."),
            (vec![("ingredient", b.as_str()), ("kind", "adjustment"), ("qty", "0"), ("unit", "g"), ("reason", "Rien")], "La quantité ne peut pas être nulle."),
            (vec![("ingredient", b.as_str()), ("kind", "waste"), ("qty", "-3"), ("unit", "g"), ("reason", "Fané")], "La quantité ne peut pas être négative."),
            (vec![("ingredient", b.as_str()), ("kind", "waste"), ("qty", "1"), ("unit", "l"), ("reason", "Fané")], "L'unité ne correspond pas"),
        ] {
            refused(&mut m, &shop.app, &page, &page, &fields, 422, says).await;
        }
    }

    async fn a_bad_inventory_count_is_refused_whole(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let (basil, capers) = (ingredient(&shop.app, "Basilic frais").await, ingredient(&shop.app, "Câpres").await);
        web_order(&shop, 1).await;
        let mut m = staff(&shop.app, "manager", "bastille").await;
        let page = format!("/staff/{a}/stock/count");
        let (cb, cc) = (format!("counted[{basil}]"), format!("counted[{capers}]"));
        for (fields, says) in [
            // Less basil than the Margherita waiting for the oven holds: counted wrong.
            (vec![(cc.as_str(), "100"), (cb.as_str(), "0"), ("action", "apply")], "Le stock ne peut pas descendre sous ce qui est déjà réservé pour des commandes."),
            (vec![(cc.as_str(), "-1"), ("action", "apply")], "La quantité ne peut pas être négative."),
            (vec![("counted[999999]", "1"), ("action", "apply")], "Ingrédient inconnu : rechargez la page."),
            (vec![(cc.as_str(), ""), ("action", "apply")], "Indiquez au moins une quantité comptée."),
            (vec![(cc.as_str(), "100"), ("action", "tout")], "Choisissez : voir les écarts ou appliquer."),
            (vec![(cc.as_str(), "100")], "Choisissez : voir les écarts ou appliquer."),
        ] {
            refused(&mut m, &shop.app, &page, &page, &fields, 422, says).await;
        }
    }

    async fn bad_thresholds_unknown_ingredients_and_products_are_refused(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let capers = ingredient(&shop.app, "Câpres").await;
        let mut m = staff(&shop.app, "manager", "bastille").await;
        let ledger = format!("/staff/{a}/stock/ingredients/{capers}");
        let threshold = format!("{ledger}/threshold");
        for (value, says) in [("-1", "négative"), ("beaucoup", "chiffres"), ("", "Indiquez une quantité."), ("0,5", "précise")] {
            refused(&mut m, &shop.app, &ledger, &threshold, &[("threshold", value)], 422, says).await;
        }
        for path in [format!("/staff/{a}/stock/ingredients/999999/threshold"), format!("/staff/{a}/stock/ingredients/abc/threshold")] {
            refused(&mut m, &shop.app, &ledger, &path, &[("threshold", "10")], 404, "Cet ingrédient n'existe pas.").await;
        }
        for path in [format!("/staff/{a}/menu/999999"), format!("/staff/{a}/menu/abc")] {
            refused(&mut m, &shop.app, &ledger, &path, &[("enabled", "false")], 404, "Ce produit n'existe pas.").await;
        }
        let switch = format!("/staff/{a}/menu/{}", shop.margherita);
        refused(&mut m, &shop.app, &ledger, &switch, &[("enabled", "peut-être")], 422, "Choisissez : sur la carte ou retiré.").await;
        refused(&mut m, &shop.app, &ledger, &switch, &[("enabled", "false"), ("pizzeria", "2")], 422, "Champ inattendu").await;
        // The Montmartre's manager cannot touch the Bastille's stock at all.
        let mut theirs = staff(&shop.app, "manager", "montmartre").await;
        theirs.get(&format!("/staff/{}/stock", shop.montmartre)).await;
        let before = snapshot(&shop.app).await;
        let answer = theirs.post(&format!("/staff/{a}/stock/ingredients/{capers}/threshold"), &[("threshold", "1")]).await;
        assert_eq!(answer.status, 403);
        let answer = theirs.post(&format!("/staff/{a}/menu/{}", shop.margherita), &[("enabled", "false")]).await;
        assert_eq!(answer.status, 403);
        assert_eq!(snapshot(&shop.app).await, before);
    }
}
