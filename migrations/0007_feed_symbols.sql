-- The coin a feed message is about (orders, fills, funding), so a client can follow some coins only.
ALTER TABLE events ADD COLUMN symbol TEXT;
