run ../../../examples/ai_compute_web.deal --scenario base --format table --analyses none
