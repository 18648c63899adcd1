-- Exits as the venue runs them, so that a restart gives the paper exchange back every order as it was.
-- trigger_kind: 'tp' or 'sl' for a trigger order.
ALTER TABLE orders ADD COLUMN trigger_kind TEXT CHECK (trigger_kind IN ('tp', 'sl'));
-- The exit group a take-profit or stop belongs to: the cloid of its entry. When one member fills, the others are cancelled.
ALTER TABLE orders ADD COLUMN exit_group TEXT;
-- A trailing stop's distance ('250' in USD or '1.5%') and the best mark it has followed.
ALTER TABLE orders ADD COLUMN trailing_distance TEXT;
ALTER TABLE orders ADD COLUMN trailing_anchor TEXT;
-- The exits an entry asks for, placed when it fills: one leg per line, 'kind cloid trigger limit|- distance|-'.
ALTER TABLE orders ADD COLUMN exit_plan TEXT;
CREATE INDEX orders_by_exit_group ON orders(account_id, exit_group) WHERE exit_group IS NOT NULL;
CREATE INDEX orders_not_final ON orders(account_id, status) WHERE status IN ('pending', 'open', 'waiting_trigger');
