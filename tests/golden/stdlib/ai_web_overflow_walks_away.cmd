run ../../../examples/ai_compute_web.deal --scenario overflow_walks_away --format table --analyses none
