// The Hyperliquid module; see ../shared/DESIGN.md.
