"""Partner agencies' identity checks, citizens' control of their code, voter rolls."""
