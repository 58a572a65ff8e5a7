run ../../../examples/ai_compute_web.deal --scenario stress_montecarlo --format table --analyses none
