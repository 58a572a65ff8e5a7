run ../../../examples/ai_compute_web.deal --scenario provider_outage --format table --analyses none
