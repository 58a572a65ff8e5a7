run ../../../examples/ai_compute_web.deal --scenario glut_for_openai --format table --analyses none
