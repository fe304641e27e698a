DROP TABLE pizzeria_closures;
