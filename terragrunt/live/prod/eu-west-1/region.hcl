# The region folder: every unit below it deploys to this region and keeps its state in this region's bucket.
locals {
  aws_region = "eu-west-1"
}
