run ../../../examples/ai_compute_web.deal --scenario openai_cannot_pay --format table --analyses none
