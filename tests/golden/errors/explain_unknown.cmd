explain E999
