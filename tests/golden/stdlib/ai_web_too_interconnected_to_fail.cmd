run ../../../examples/ai_compute_web.deal --scenario too_interconnected_to_fail --format table --analyses none
