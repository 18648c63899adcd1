// The Market module; see ../shared/DESIGN.md.
