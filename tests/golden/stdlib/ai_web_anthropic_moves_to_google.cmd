run ../../../examples/ai_compute_web.deal --scenario anthropic_moves_to_google --format table --analyses none
