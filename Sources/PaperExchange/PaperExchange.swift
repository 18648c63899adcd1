// The PaperExchange module; see ../shared/DESIGN.md.
