explain E013
