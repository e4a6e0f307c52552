# RDS Enhanced Monitoring needs a role trusting monitoring.rds.amazonaws.com; this one trusts
# rds.amazonaws.com (a common slip): PR001 at monitoring_role_arn.
resource "aws_iam_role" "monitoring" {
  name = "monitoring"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "rds.amazonaws.com" }
    }]
  })
}

resource "aws_db_instance" "orders" {
  identifier                  = "orders"
  engine                      = "postgres"
  instance_class              = "db.t4g.micro"
  allocated_storage           = 20
  username                    = "orders"
  manage_master_user_password = true
  monitoring_interval         = 60
  monitoring_role_arn         = aws_iam_role.monitoring.arn
}
