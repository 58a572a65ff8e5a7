doc comitment
