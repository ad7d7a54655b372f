"""Reference data of Flemish education: regions, municipalities, postcodes, networks."""
