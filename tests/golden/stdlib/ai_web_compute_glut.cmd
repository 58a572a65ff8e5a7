run ../../../examples/ai_compute_web.deal --scenario compute_glut --format table --analyses none
