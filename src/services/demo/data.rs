//! The demo group: five Paris pizzerias, a realistic catalogue with recipes, and the uneven
//! stock that makes the demo interesting.

use crate::domain::catalog::ProductKind;
use crate::domain::stock::Unit;

pub struct DemoPizzeria {
    pub slug: &'static str,
    pub name: &'static str,
    pub street: &'static str,
    pub postal_code: &'static str,
    pub phone: &'static str,
    /// Evening closing time per weekday (Monday first), in minutes; 0 = closed that day.
    pub closes: [u16; 7],
}

pub const PIZZERIAS: [DemoPizzeria; 5] = [
    DemoPizzeria {
        slug: "bastille",
        name: "OC Pizza Bastille",
        street: "12 rue de la Roquette",
        postal_code: "75011",
        phone: "01 43 55 12 12",
        closes: [0, 1380, 1380, 1380, 1410, 1410, 1350],
    },
    DemoPizzeria {
        slug: "montmartre",
        name: "OC Pizza Montmartre",
        street: "34 rue des Abbesses",
        postal_code: "75018",
        phone: "01 42 58 34 34",
        closes: [1380, 1380, 1380, 1380, 1410, 1410, 0],
    },
    DemoPizzeria {
        slug: "marais",
        name: "OC Pizza Marais",
        street: "8 rue des Rosiers",
        postal_code: "75004",
        phone: "01 48 87 08 08",
        closes: [0, 1380, 1380, 1380, 1410, 1410, 1380],
    },
    DemoPizzeria {
        slug: "batignolles",
        name: "OC Pizza Batignolles",
        street: "51 rue des Batignolles",
        postal_code: "75017",
        phone: "01 45 22 51 51",
        closes: [1350, 1350, 1350, 1380, 1410, 1410, 1350],
    },
    DemoPizzeria {
        slug: "butte-aux-cailles",
        name: "OC Pizza Butte-aux-Cailles",
        street: "17 rue de la Butte-aux-Cailles",
        postal_code: "75013",
        phone: "01 45 89 17 17",
        closes: [0, 1380, 1380, 1380, 1410, 1410, 1380],
    },
];

/// (name, unit, usual stock per pizzeria, low threshold)
/// The allergens of the demo's ingredients (codes of `domain::allergen`); the others have none.
pub const ALLERGENS: [(&str, &str); 16] = [
    ("Pâte à pizza", "gluten"),
    ("Crème fraîche épaisse", "lait"),
    ("Mozzarella fior di latte", "lait"),
    ("Mozzarella di bufala", "lait"),
    ("Gorgonzola", "lait"),
    ("Parmigiano Reggiano", "lait"),
    ("Fromage de chèvre", "lait"),
    ("Emmental râpé", "lait"),
    ("Filets d'anchois", "poissons"),
    ("Thon", "poissons"),
    ("Œuf", "oeufs"),
    ("Bière Peroni 33 cl", "gluten"),
    ("Tiramisu maison", "gluten,oeufs,lait"),
    ("Panna cotta aux fruits rouges", "lait"),
    ("Mousse au chocolat noir", "oeufs,soja,lait"),
    ("Glace vanille de Madagascar", "oeufs,lait"),
];

pub const INGREDIENTS: [(&str, Unit, i64, i64); 38] = [
    ("Pâte à pizza", Unit::Gram, 25_000, 5_000),
    ("Sauce tomate San Marzano", Unit::Gram, 12_000, 2_000),
    ("Crème fraîche épaisse", Unit::Gram, 4_000, 800),
    ("Mozzarella fior di latte", Unit::Gram, 15_000, 3_000),
    ("Mozzarella di bufala", Unit::Gram, 3_000, 600),
    ("Gorgonzola", Unit::Gram, 1_500, 300),
    ("Parmigiano Reggiano", Unit::Gram, 2_000, 400),
    ("Fromage de chèvre", Unit::Gram, 2_000, 400),
    ("Emmental râpé", Unit::Gram, 3_000, 500),
    ("Jambon blanc", Unit::Gram, 3_000, 600),
    ("Jambon cru de Parme", Unit::Gram, 1_500, 300),
    ("Salami piquant", Unit::Gram, 2_000, 400),
    ("Lardons fumés", Unit::Gram, 2_000, 400),
    ("Champignons de Paris", Unit::Gram, 3_000, 600),
    ("Poivrons grillés", Unit::Gram, 2_000, 400),
    ("Oignons rouges", Unit::Gram, 2_000, 400),
    ("Olives noires", Unit::Gram, 1_500, 300),
    ("Câpres", Unit::Gram, 500, 100),
    ("Filets d'anchois", Unit::Piece, 120, 24),
    ("Artichauts marinés", Unit::Gram, 1_500, 300),
    ("Roquette", Unit::Gram, 1_000, 200),
    ("Basilic frais", Unit::Gram, 300, 60),
    ("Origan séché", Unit::Gram, 300, 50),
    ("Huile d'olive extra vierge", Unit::Millilitre, 3_000, 500),
    ("Miel de lavande", Unit::Millilitre, 800, 150),
    ("Œuf", Unit::Piece, 60, 12),
    ("Thon", Unit::Gram, 2_000, 400),
    ("Ananas", Unit::Gram, 1_500, 300),
    ("Tomates cerises", Unit::Gram, 2_000, 400),
    ("Coca-Cola 33 cl", Unit::Piece, 48, 12),
    ("Eau pétillante San Pellegrino 50 cl", Unit::Piece, 48, 12),
    ("Limonade artisanale 33 cl", Unit::Piece, 36, 6),
    ("Bière Peroni 33 cl", Unit::Piece, 36, 6),
    ("Jus d'orange pressé 25 cl", Unit::Piece, 24, 6),
    ("Tiramisu maison", Unit::Piece, 20, 4),
    ("Panna cotta aux fruits rouges", Unit::Piece, 20, 4),
    ("Mousse au chocolat noir", Unit::Piece, 20, 4),
    ("Glace vanille de Madagascar", Unit::Piece, 20, 4),
];

pub type Line = (&'static str, i64);

/// (name, description, price in cents, recipe beyond the dough, topping step)
pub const PIZZAS: [(&str, &str, i64, &[Line], &str); 12] = [
    ("Margherita", "Sauce tomate San Marzano, mozzarella fior di latte, basilic frais, huile d'olive.", 1050,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 120), ("Basilic frais", 3), ("Huile d'olive extra vierge", 10)],
        "Répartir la mozzarella en morceaux ; après cuisson, ajouter le basilic et un filet d'huile."),
    ("Regina", "Sauce tomate, mozzarella, jambon blanc, champignons de Paris, origan.", 1250,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 100), ("Jambon blanc", 60), ("Champignons de Paris", 50), ("Origan séché", 1)],
        "Garnir de mozzarella, jambon en lanières et champignons émincés ; parsemer d'origan."),
    ("Quatre fromages", "Crème fraîche, mozzarella, gorgonzola, chèvre, parmesan.", 1390,
        &[("Crème fraîche épaisse", 60), ("Mozzarella fior di latte", 80), ("Gorgonzola", 40), ("Fromage de chèvre", 40), ("Parmigiano Reggiano", 20)],
        "Répartir les quatre fromages en alternance pour que chaque part ait de tout."),
    ("Diavola", "Sauce tomate, mozzarella, salami piquant, poivrons grillés, huile pimentée.", 1290,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 100), ("Salami piquant", 50), ("Poivrons grillés", 40), ("Huile d'olive extra vierge", 10)],
        "Garnir de mozzarella, salami en rondelles et poivrons ; huile pimentée au sortir du four."),
    ("Napolitaine", "Sauce tomate, mozzarella, anchois, câpres, olives noires, origan.", 1190,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 90), ("Filets d'anchois", 6), ("Câpres", 10), ("Olives noires", 20), ("Origan séché", 1)],
        "Disposer les 6 filets d'anchois en étoile, puis câpres et olives."),
    ("Chèvre-miel", "Crème fraîche, mozzarella, chèvre, miel de lavande, roquette.", 1350,
        &[("Crème fraîche épaisse", 60), ("Mozzarella fior di latte", 80), ("Fromage de chèvre", 90), ("Miel de lavande", 15), ("Roquette", 15)],
        "Rondelles de chèvre sur la mozzarella ; après cuisson, filet de miel et roquette."),
    ("Végétarienne", "Sauce tomate, mozzarella, poivrons, champignons, oignons rouges, artichauts, olives.", 1290,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 100), ("Poivrons grillés", 40), ("Champignons de Paris", 40), ("Oignons rouges", 30), ("Artichauts marinés", 40), ("Olives noires", 15)],
        "Répartir les légumes uniformément, oignons en fines rondelles."),
    ("Parma", "Sauce tomate, mozzarella di bufala, jambon cru de Parme, roquette, parmesan.", 1590,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella di bufala", 100), ("Jambon cru de Parme", 80), ("Roquette", 20), ("Parmigiano Reggiano", 15)],
        "Cuire avec la bufala seule ; à la sortie, jambon cru, roquette et copeaux de parmesan."),
    ("Hawaïenne", "Sauce tomate, mozzarella, jambon blanc, ananas.", 1250,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 100), ("Jambon blanc", 60), ("Ananas", 70)],
        "Garnir de mozzarella, jambon et morceaux d'ananas bien égouttés."),
    ("Tonno", "Sauce tomate, mozzarella, thon, oignons rouges, câpres, olives noires.", 1290,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 90), ("Thon", 80), ("Oignons rouges", 30), ("Câpres", 8), ("Olives noires", 15)],
        "Émietter le thon sur la mozzarella, puis oignons, câpres et olives."),
    ("Carbonara", "Crème fraîche, mozzarella, lardons fumés, œuf, parmesan.", 1350,
        &[("Crème fraîche épaisse", 70), ("Mozzarella fior di latte", 90), ("Lardons fumés", 70), ("Œuf", 1), ("Parmigiano Reggiano", 15)],
        "Garnir de lardons ; casser l'œuf au centre à mi-cuisson ; parmesan à la sortie."),
    ("Bufalina", "Sauce tomate, mozzarella di bufala, tomates cerises, basilic, huile d'olive.", 1490,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella di bufala", 120), ("Tomates cerises", 60), ("Basilic frais", 3), ("Huile d'olive extra vierge", 10)],
        "Tomates cerises coupées en deux ; bufala déchirée à la main à mi-cuisson."),
];

/// (name, description, price, kind) — each is one piece of itself.
pub const OTHERS: [(&str, &str, i64, ProductKind); 9] = [
    (
        "Coca-Cola 33 cl",
        "Canette bien fraîche.",
        300,
        ProductKind::Drink,
    ),
    (
        "Eau pétillante San Pellegrino 50 cl",
        "Bouteille.",
        350,
        ProductKind::Drink,
    ),
    (
        "Limonade artisanale 33 cl",
        "Limonade au citron de Menton.",
        400,
        ProductKind::Drink,
    ),
    (
        "Bière Peroni 33 cl",
        "Bière blonde italienne (alcool : vente interdite aux mineurs).",
        450,
        ProductKind::Drink,
    ),
    (
        "Jus d'orange pressé 25 cl",
        "Pressé le matin même.",
        400,
        ProductKind::Drink,
    ),
    (
        "Tiramisu maison",
        "Mascarpone, café, cacao : la recette de la maison.",
        550,
        ProductKind::Dessert,
    ),
    (
        "Panna cotta aux fruits rouges",
        "Crème vanillée, coulis de fruits rouges.",
        500,
        ProductKind::Dessert,
    ),
    (
        "Mousse au chocolat noir",
        "Chocolat noir 70 %.",
        500,
        ProductKind::Dessert,
    ),
    (
        "Glace vanille de Madagascar",
        "Pot individuel 120 ml.",
        450,
        ProductKind::Dessert,
    ),
];

/// Stock per pizzeria that makes the demo interesting: (pizzeria slug, ingredient, on_hand).
pub const SCARCE: [(&str, &str, i64); 9] = [
    ("bastille", "Tiramisu maison", 3),
    ("bastille", "Filets d'anchois", 20),
    ("montmartre", "Mozzarella di bufala", 240),
    ("montmartre", "Coca-Cola 33 cl", 0),
    ("marais", "Fromage de chèvre", 0),
    ("marais", "Jambon cru de Parme", 160),
    ("batignolles", "Œuf", 2),
    ("butte-aux-cailles", "Filets d'anchois", 0),
    ("butte-aux-cailles", "Mousse au chocolat noir", 1),
];

pub const DOUGH_G: i64 = 250;
