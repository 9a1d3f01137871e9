# The app's image repository, one per account (module ecr): immutable tags, images tagged with the git SHA.
# The deploy workflow pushes one image to each account's repository; promotion never rebuilds it.
inputs = {
  name = "auth-platform/auth"
  # Enough history to roll back by redeploying an earlier SHA.
  keep_tagged_images = 100
}
