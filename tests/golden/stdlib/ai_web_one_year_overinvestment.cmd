run ../../../examples/ai_compute_web.deal --scenario one_year_overinvestment --format table --analyses none
