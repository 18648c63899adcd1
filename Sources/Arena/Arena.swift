// The Arena module; see ../shared/DESIGN.md.
