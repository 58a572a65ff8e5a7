run ../../../examples/ai_compute_web.deal --scenario provider_fails --format table --analyses none
