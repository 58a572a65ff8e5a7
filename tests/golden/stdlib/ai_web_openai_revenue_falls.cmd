run ../../../examples/ai_compute_web.deal --scenario openai_revenue_falls --format table --analyses none
