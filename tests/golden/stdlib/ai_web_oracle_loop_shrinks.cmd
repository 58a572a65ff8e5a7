run ../../../examples/ai_compute_web.deal --scenario oracle_loop_shrinks --format table --analyses none
