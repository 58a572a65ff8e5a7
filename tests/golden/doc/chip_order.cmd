doc chip_order
